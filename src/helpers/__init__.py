"""CCHC report analytics: parsing, audit, charts and narrative for provincial administrative-reform reports."""
