"""The web layer: JSON API, Server-Sent Events and the HTML pages."""
