"""coach: a reply coach for staff who handle customer complaints."""

__version__ = "0.1.0"
