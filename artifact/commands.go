package artifact

import (
	"strings"

	"github.com/dbaf/dbaf/db"
)

// Commands builds every command line dbaf tells a user to run: teardown,
// resume, reset, connect, the managed password's AWS CLI command and the
// sandbox's environment. It is the one place they are spelled, so that each
// carries what this run was pointed at (the global flags, the region it
// acted in, the artifact) and runs as printed, shell-quoted. The zero value
// spells them for the default AWS account and no artifact.
type Commands struct {
	// The global flags of the run the lines are printed by.
	Sandbox     bool
	Profile     string
	Region      string // the flag's, else the region the operation acted in (see In)
	EndpointURL string
	CABundle    string // --ca-bundle, for the lines that log in

	// The artifact, for the lines that clone again: Config (an INI path),
	// else Image (a reference); with neither, InImage is the artifact image
	// this dbaf runs in, and the lines run that image again.
	Config, Image, InImage string
}

// In is c acting in region when no --region chose one: a line printed
// after a clone whose region came from its artifact must name it, since a
// teardown has no artifact to read it from.
func (c Commands) In(region string) Commands {
	if c.Region == "" {
		c.Region = region
	}
	return c
}

// Teardown deletes stack's clone.
func (c Commands) Teardown(stack string) string { return c.dbaf("teardown", stack, "--yes") }

// Resume follows (or re-creates) stack's clone from the same artifact.
func (c Commands) Resume(stack string) string {
	return c.dbaf(append([]string{"clone", "--name", stack}, c.artifactFlags()...)...)
}

// ResumeReset resumes a clone whose password an earlier run set without
// it working: following alone would leave that password as it is.
func (c Commands) ResumeReset(stack string) string { return c.Resume(stack) + " --reset-password" }

// Reset refreshes stack's clone from the same artifact.
func (c Commands) Reset(stack string) string {
	return c.dbaf(append([]string{"reset", stack}, c.artifactFlags()...)...)
}

// Connect opens the engine's client on stack's clone.
func (c Commands) Connect(stack string) string { return c.dbaf("connect", stack) }

// Secret is the AWS CLI command that prints the secret in which RDS keeps a
// clone's master password (a JSON object with "username" and "password").
// The developer runs it when they need the password, so it passes through
// no dbaf output. The ARN is quoted: RDS names its secrets "rds!cluster-…",
// and an interactive bash would take the "!" for history expansion. Against
// the sandbox it runs in a subshell that takes the sandbox's environment
// first, and leaves the user's shell as it was.
func (c Commands) Secret(region, secretARN string) string {
	args := []string{"aws", "secretsmanager", "get-secret-value"}
	if c.Profile != "" {
		args = append(args, "--profile", c.Profile)
	}
	if c.EndpointURL != "" {
		args = append(args, "--endpoint-url", c.EndpointURL)
	}
	args = append(args, "--region", region, "--secret-id", secretARN, "--query", "SecretString", "--output", "text")
	line := ShellJoin(args)
	if c.Sandbox {
		return "(" + c.SandboxEnv("") + " && " + line + ")"
	}
	return line
}

// Connection is the engine's client command line for t (see
// ConnectionString). Printed by dbaf in its artifact image against AWS,
// the CA file it names would exist only in the container: the line first
// saves the image's bundle (dbaf ca-bundle) under ~/.cache/dbaf on the
// host, then names that file. A CA given as a file (--ca-bundle) is the
// user's to have on the host, and is named as it is.
func (c Commands) Connection(t db.Target) string {
	if !c.inImage() || (t.CA != nil && t.CA.Source != db.BuiltinSource) {
		return ConnectionString(t)
	}
	t.Password = ""
	t.CA = db.BuiltinCA().At(hostCAFile)
	cl := db.ClientFor(t)
	args := append([]string{cl.Program}, cl.Args...)
	for i, a := range args {
		args[i] = quoteWithHome(a)
	}
	return "mkdir -p ~/.cache/dbaf && docker run --rm " + ShellQuote(c.InImage) + " ca-bundle > ~/.cache/dbaf/rds-ca.pem && " +
		strings.Join(args, " ")
}

// hostCAFile is where Connection's line saves the image's CA bundle on
// the host, "$HOME" left for the shell to expand.
const hostCAFile = "$HOME/.cache/dbaf/rds-ca.pem"

// quoteWithHome shell-quotes a, in which "$HOME" alone must expand:
// double quotes when nothing else in a is special to them (the readable
// common case), else single-quoted pieces around "$HOME".
func quoteWithHome(a string) string {
	parts := strings.Split(a, "$HOME")
	if len(parts) == 1 {
		return ShellQuote(a)
	}
	if !strings.ContainsAny(strings.Join(parts, ""), "\\\"$`!") {
		return `"` + a + `"`
	}
	for i, p := range parts {
		if p != "" {
			parts[i] = ShellQuote(p)
		}
	}
	return strings.Join(parts, `"$HOME"`)
}

// SandboxEnv points the user's shell at the running sandbox account, whose
// state lives in stateDir ("" = the default).
func (c Commands) SandboxEnv(stateDir string) string {
	args := []string{"dbaf", "sandbox", "env"}
	if stateDir != "" {
		args = append(args, "--state-dir", stateDir)
	}
	return `eval "$(` + ShellJoin(args) + `)"`
}

// RunLine is the command a developer runs to clone from the artifact's
// image: against the sandbox when it was built there.
func RunLine(a *Artifact) string { return RunLineFor(a.Image, a.Sandbox) }

// RunLineFor is the command that clones from image where it works: in AWS
// with the developer's profile, or against the sandbox (which has no AWS
// credentials to mount: dbaf reaches its account itself). With a terminal
// (-it) the clone prompts for the password, which so stays out of the
// container's config (docker inspect), unlike -e DB_PASSWORD.
func RunLineFor(image string, sandbox bool) string {
	if sandbox {
		return Commands{Sandbox: true, Image: image}.dbaf("clone", "--image", image)
	}
	return dockerRun(image, false)
}

// dockerRun runs an artifact image with the developer's AWS settings. "~"
// stays unquoted for the shell to expand. hostNetwork shares the host's
// network, for an endpoint on this machine (the sandbox) to be reached.
func dockerRun(image string, hostNetwork bool) string {
	net := ""
	if hostNetwork {
		net = "--network host "
	}
	return "docker run --rm -it " + net + "-v ~/.aws:/root/.aws:ro -e AWS_PROFILE " + ShellQuote(image)
}

// dbaf is a dbaf command line with this run's global flags.
func (c Commands) dbaf(args ...string) string {
	var g []string
	if c.Sandbox {
		g = append(g, "--sandbox")
	}
	for _, fl := range [][2]string{{"--profile", c.Profile}, {"--region", c.Region}, {"--endpoint-url", c.EndpointURL}, {"--ca-bundle", c.CABundle}} {
		if fl[1] != "" {
			g = append(g, fl[0], fl[1])
		}
	}
	line := append(g, args...)
	if c.inImage() {
		// The artifact is inside the image: run it again. Its AWS profile
		// comes from the environment the run line passes on.
		return dockerRun(c.InImage, c.EndpointURL != "") + " " + ShellJoin(line)
	}
	return ShellJoin(append([]string{"dbaf"}, line...))
}

// inImage says whether the lines run the artifact image again: it holds
// the artifact, and AWS is reached from inside it. The sandbox is reached
// from the host's dbaf, which reads the image (--image).
func (c Commands) inImage() bool {
	return c.Config == "" && c.Image == "" && c.InImage != "" && !c.Sandbox
}

// artifactFlags name the artifact for a command that clones again.
func (c Commands) artifactFlags() []string {
	switch {
	case c.Config != "":
		return []string{"--config", c.Config}
	case c.Image != "":
		return []string{"--image", c.Image}
	case c.InImage != "" && c.Sandbox:
		return []string{"--image", c.InImage}
	}
	return nil
}

// ShellJoin is args as one POSIX shell command line, each quoted as it
// needs.
func ShellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = ShellQuote(a)
	}
	return strings.Join(q, " ")
}

// ShellQuote quotes s for a POSIX shell when it needs it: single quotes,
// which keep everything literal ("!" too, for bash's history expansion).
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=,+%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
