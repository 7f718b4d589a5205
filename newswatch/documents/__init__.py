"""The document register: legal documents as records, their official text, and who reported them."""
