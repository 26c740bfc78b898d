"""AWS backend tests: offline (moto, botocore Stubber) and, with credentials, real AWS (``-m aws``)."""
