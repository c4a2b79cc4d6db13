"""A local HTTP server that imitates the carriers' label and tracking APIs (no Django: see README.md)."""
