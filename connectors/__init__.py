"""Connectors turn a source into canonical warehouse rows and load them (see ``loader``)."""
