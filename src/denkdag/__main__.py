"""`python -m denkdag` runs the command line."""

from denkdag.cli import main

main()
