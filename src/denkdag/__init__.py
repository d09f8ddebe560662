"""Denkdag: interactive think-days — slides on the projector, answers from phones, live."""

__version__ = "0.1.0"

__all__ = ["__version__"]
