"""The certificate engine: given the data to print, return PDF bytes.

It knows nothing of Flask or the database, so it can be tested, benchmarked and reused on
its own. The LMS calls it and wraps the bytes in a download. Filled in by the certificates
issue; this package is its home.
"""
