"""The WhatsApp share pack: a voice-note-sized Ogg Opus copy of the mastered audio (a stage),
and a ready-to-forward message per language (written by publish, see pipeline/publish/share.py)."""
