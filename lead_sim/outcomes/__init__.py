"""What a run measured: outcome definitions and summaries, tables, paired-difference analysis,
the Sequential Intercept Model table, and plain-words explanations.
"""
