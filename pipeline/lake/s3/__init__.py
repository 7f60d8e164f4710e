"""The lake on S3, one concern per module:

- client: the boto3 clients, built from Luigi's [s3] section (and luigi's S3Client on them);
- errors: botocore failures as the pipeline's errors, one line naming the bucket;
- store: the byte store (exists, read, write, delete, list);
- preflight: the bucket check before any API call.

None of them holds a client: the process's one client lives in pipeline.app.runtime.
"""
