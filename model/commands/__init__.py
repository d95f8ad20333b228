"""The commands that write files: each opens the output guard, runs its analysis (model.analysis), which
only computes, and writes what it found through model.report. With model.pipeline they are the top of
the code beneath the CLI: nothing below imports them."""
