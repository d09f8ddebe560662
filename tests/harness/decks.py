"""Small decks shared by tests."""

MULTI_DECK = """---
title: Meerdere antwoorden
language: en
---

# Which do you use?
kind: choice
multiple: yes

- **Books**
- **Films**
- **Games**
"""
