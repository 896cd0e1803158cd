"""Regency recommendations: lists from a regency's gaps, priors, diversity, and study-visit assignment."""
