"""Admission: a provider applies (vendor portal), the bureau reviews its qualifications,
checks its people and signs the admission agreement, and lists it (Wagtail admin).
Services write, selectors read, views and admin screens stay thin."""
