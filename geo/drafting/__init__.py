"""Event drafting: article text + publication date -> reviewable event drafts (span, date, place, actors, type, figures)."""
