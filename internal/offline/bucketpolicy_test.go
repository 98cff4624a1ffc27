package offline

import (
	"fmt"
	"testing"
)

// An S3 bucket has one bucket policy: PutBucketPolicy replaces the whole
// document (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html),
// so two policy resources on one bucket overwrite each other on every
// deploy and the bucket ends with whichever ran last.
func TestEveryS3BucketHasOneBucketPolicy(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		policies := map[string][]string{}
		for _, r := range planOf(t, stack).Plan.Resources {
			if r.Type == "aws:s3/bucketPolicy:BucketPolicy" {
				bucket := fmt.Sprint(r.Inputs["bucket"])
				policies[bucket] = append(policies[bucket], r.Name)
			}
		}
		for bucket, names := range policies {
			if len(names) > 1 {
				t.Errorf("%s: bucket %s has %d bucket policies %v: one overwrites the other", stack, bucket, len(names), names)
			}
		}
	}
}
