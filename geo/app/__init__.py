"""The Streamlit glue: session state, widgets and callbacks over the pure stages. Logic that can be
tested without Streamlit lives in the stages, not here."""
