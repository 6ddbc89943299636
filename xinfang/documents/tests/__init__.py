"""Tests of the documents app live in xinfang/petitions/tests/test_documents.py; its permission
cases are registered by xinfang/supervision/tests/permission_cases.py."""
