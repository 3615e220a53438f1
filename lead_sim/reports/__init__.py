"""The HTML report toolkit and the comparison report with its figures.
"""
