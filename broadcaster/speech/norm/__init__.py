"""Text stage, in rooms by kind; `broadcaster.speech.normalize` puts the steps in order (PIPELINE)."""
