"""Articles and provenance: reading article files (encodings, HTML), the one sentence splitter, the
source manifest, and `SourceRef` — the file, SHA-256 and character span behind every claim."""
