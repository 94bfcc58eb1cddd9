-- Schema 3.21 (issue 21): a kernel built from a git commit (git:<repo>@<ref> specs) keeps the commit it was built
-- from: repository URL, commit hash, subject and the branch it was resolved from (NULL for other kernels). A kernel
-- row is one image; the first git: run that stores an image names its commit.
ALTER TABLE kernel ADD COLUMN git_url VARCHAR(1024);
ALTER TABLE kernel ADD COLUMN git_commit VARCHAR(64);
ALTER TABLE kernel ADD COLUMN git_subject VARCHAR(1024);
ALTER TABLE kernel ADD COLUMN git_branch VARCHAR(256);
