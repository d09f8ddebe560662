"""The use-case layer: everything a person can do with Denkdag, in one place.

Web and CLI call this package and nothing below it: each use case loads what it needs
(storage), decides with the pure domain, commits, then tells the screens (live). The
composition root is `Denkdag` (app/denkdag.py); its parts are split by concern.
Nothing is imported here, so a command that needs one part loads only that part.
"""
