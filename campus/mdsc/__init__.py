"""The original MdSC frontend's API contract, as thin routers over Campus's services.

The public Next.js app `Devdrwt/mdsc_frontend` calls its backend with its own paths and
field names. Each module here is one area of that contract: it parses the frontend's
request, calls the same access checks, services and selectors as Campus's own API and
pages, and shapes the answer the way the frontend reads it. It never decides anything.
See docs/mdsc-frontend.md.
"""
