"""Printable documents of petition matters (PDF, WeasyPrint) and the general register (xlsx).

An installed app of its own (label ``documents``) because it owns the ``ExportJob`` table;
it lives inside ``xinfang/petitions`` because every document is about a matter.
"""
