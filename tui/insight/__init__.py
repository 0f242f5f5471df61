"""What broke and where: spike alerts and their log, top-N, offload. No screen code."""
