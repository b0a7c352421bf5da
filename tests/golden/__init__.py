"""Golden transcripts: the scripted conversations (``scripts``) and their recorded text files."""
