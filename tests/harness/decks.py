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

# One slide of every kind (and a profile question, and Q&A shown at once), in Dutch: what
# the accessibility test and the keyboard test walk through on every screen.
EVERY_KIND_DECK = """---
title: Elke soort dia
event: Denkdag
date: 17 mei 2018
venue: Muntpunt
presenter: Theo Peeters
language: nl
results: live
questions: show-at-once
profile: Ik werk in: bibliotheek / cultuurcentrum / school
---

# Welkom
layout: title

Denkdag in Muntpunt

# Waarom we hier zijn
section: Inleiding

- kennis delen
- samen beslissen

# Hoe wil je samenwerken?
kind: choice

- **Informeel**
  Af en toe kennis uitwisselen
- **Permanent**
- **Regionaal**

# Loont samenwerken?
kind: statement

> Samenwerken loont.

# Hoe ervaar je de samenwerking?
kind: scale
min: 0
max: 10
labels: Slecht | Uitstekend

- Ik ken de partners
- We delen genoeg

# Eén woord voor samenwerking?
kind: wordcloud
words: 2

# Wat neem je mee naar huis?
kind: open
max_length: 200

# Wat moet eerst?
kind: ranking

- **Kennis delen**
- **Samen aankopen**
- **Programmatie**

# Wat moet de bibliotheek doen?
kind: conversation
moderation: approve-first

> De bibliotheek moet 's avonds open zijn.
> Elke gemeente verdient een eigen bibliotheek.

# Hoe denkt de zaal?
kind: opinions
"""
