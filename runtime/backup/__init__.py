"""`awx-runtime backup ...` (docs/runtime.md): commands.py registers the commands, one module each
(create, list, verify, restore, prune, drill); catalog.py and feed.py are what they share;
settings.py their flags; pipeline/compression/crypto the stream; stores/ one module per cloud."""
