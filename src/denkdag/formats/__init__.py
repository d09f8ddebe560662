"""Reading and writing files: deck files in, exports out."""
