"""Sandbox marketplaces: a local HTTP server speaking Amazon SP-API, eBay, Mirakl and Octopia.

Pure Python (no Django). Start it with `python -m marketplaces.sandbox` or in-process with
`marketplaces.sandbox.server.SandboxServer`; drive it with `marketplaces.sandbox.client.SandboxAdmin`.
See README.md in this folder.
"""
