package printer

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/artifact"
)

func TestPlainResetSaysWhatStaysAndWhatIsNew(t *testing.T) {
	var out, errOut bytes.Buffer
	p := &Plain{Out: &out, Err: &errOut}
	p.Emit(artifact.ResetStarted{Stack: "dev", Source: "prod", Region: "eu-west-1", Endpoint: "dev.cluster-x.eu-west-1.rds.amazonaws.com"})
	want := "==> resetting stack dev in eu-west-1: tearing it down, then cloning prod again under the same name\n" +
		"    endpoint dev.cluster-x.eu-west-1.rds.amazonaws.com stays; the data and the TTL are new\n"
	if errOut.String() != want || out.Len() != 0 {
		t.Errorf("stderr %q stdout %q", errOut.String(), out.String())
	}
	var js bytes.Buffer
	(&JSON{Out: &js}).Emit(artifact.ResetStarted{Stack: "dev", Recreate: "dbaf clone --name dev"})
	if !strings.Contains(js.String(), `"event":"reset_started"`) || !strings.Contains(js.String(), `"recreate":"dbaf clone --name dev"`) {
		t.Errorf("json %s", js.String())
	}
}
