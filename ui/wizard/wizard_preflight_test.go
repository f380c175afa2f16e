package wizard

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// The review shows what a clone would find, asked in the background once:
// the source's clones and key, and a full quota as a warning (the build
// goes on: the account may change before anyone clones).
func TestWizardPreflightReview(t *testing.T) {
	var calls atomic.Int32
	opts := testOptions(t, wizSandbox(), nil)
	opts.Config = wizComplete(t)
	opts.Preflight = func(_ context.Context, region string, src artifact.Source, warn func(string)) (*artifact.Preflight, error) {
		calls.Add(1)
		if region != "eu-west-1" || src.ClusterID != "prod-aurora" {
			t.Errorf("preflight of %s in %s", src.ClusterID, region)
		}
		warn("could not read the account's RDS quotas (rds:DescribeAccountAttributes denied): cloning without checking for room")
		return &artifact.Preflight{Source: "prod-aurora", SourceStatus: "available", Instances: 2, CloneGroupID: "cg-1", Clones: 3,
				Encrypted: true, KMSKey: "arn:aws:kms:eu-west-1:123456789012:key/5f3e0c1a", KMSKeyState: "Disabled", Calls: 3},
			&artifact.SourceError{Msg: "KMS key arn:aws:kms:eu-west-1:123456789012:key/5f3e0c1a, which encrypts source cluster prod-aurora, is Disabled, not Enabled"}
	}
	tm, p := uitest.Run(t, New(context.Background(), opts), 100, 40)
	uitest.WaitFor(t, p, "Review, then build", "3 existing clones of prod-aurora", "a clone now would fail: KMS key", "(new file)")
	w := wizFinish(t, tm).(*Model)
	if n := calls.Load(); n != 1 {
		t.Errorf("%d preflight calls, want 1", n)
	}
	if w.rev.issues != nil {
		t.Errorf("a preflight problem made the config invalid: %v", w.rev.issues)
	}
}
