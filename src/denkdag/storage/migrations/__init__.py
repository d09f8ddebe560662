"""Alembic migrations, shipped inside the package so `denkdag serve` can upgrade."""
