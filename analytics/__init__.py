"""Course analytics for authors: rollup tables kept by the nightly rollup job, read by admin pages.

See docs/authoring.md ("Course analytics") for the figures and docs/jobs.md for the rollup.
"""
