"""Git as approval and archive: plumbing, history, forge links, snapshots, diffs, change rules, CODEOWNERS."""
