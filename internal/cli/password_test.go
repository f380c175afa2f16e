package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestPromptPasswordReadsTheInjectedInput(t *testing.T) {
	prompt := func(in string) (string, string, error) {
		var errOut bytes.Buffer
		f := NewFactory(IOStreams{In: strings.NewReader(in), Out: &bytes.Buffer{}, ErrOut: &errOut, IsTerminal: func() bool { return true }},
			func(string) string { return "" }, nil, "test")
		pw, _, err := f.password(&CloneOptions{}, false)
		return pw, errOut.String(), err
	}
	pw, shown, err := prompt("s3cret-Prompted-1\r\ns3cret-Prompted-1")
	if err != nil || pw != "s3cret-Prompted-1" {
		t.Fatalf("password %q, %v", pw, err)
	}
	if !strings.Contains(shown, "Password for the clone's master user") || !strings.Contains(shown, "Again") || strings.Contains(shown, "s3cret") {
		t.Errorf("prompt showed %q", shown)
	}
	if _, _, err := prompt("s3cret-one\ns3cret-two\n"); err == nil || ExitCode(context.Background(), err) != ExitBadInput ||
		!strings.Contains(err.Error(), "differ") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("different answers: %v", err)
	}
	if _, _, err := prompt("s3cret-only-once\n"); err == nil || !strings.Contains(err.Error(), "reading the password") {
		t.Errorf("one answer then end of input: %v", err)
	}
}
