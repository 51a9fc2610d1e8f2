"""Presentation helpers shared by the Streamlit pages: sidebar state, cached data access, charts."""
