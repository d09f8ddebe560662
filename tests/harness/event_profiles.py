"""Shared text of the event profile tests: the questions and a deck with its own."""

from __future__ import annotations

WORKPLACE = "Ik werk in: bibliotheek / cultuurcentrum / school / OCMW / andere"
REGION = "Waar ligt je werkplek? Antwerpen / Limburg / Brussel"
DECK = """---
title: {title}
profile: Eigen vraag: ja / nee
---

# Stelling
id: stelling
kind: statement

> Samen sterker.
"""
