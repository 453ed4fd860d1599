"""Live class pages, thin like api.py: access fetches and authorizes, services write,
selectors read, campus.core.views maps domain errors to pages.

- instructor.py: the course's session manager, forms, actions, attendance.
- student.py: the student dashboard and a course's sessions.
- room.py: the join page (waiting room, Jitsi embed) and its Q&A panel.
"""
