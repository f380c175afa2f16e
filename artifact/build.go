package artifact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/dockerbuild"
)

// Label keys written on every artifact image. OCI keys first, then ours.
const (
	LabelTitle       = "org.opencontainers.image.title"
	LabelDescription = "org.opencontainers.image.description"
	LabelVersion     = "org.opencontainers.image.version"
	LabelCreated     = "org.opencontainers.image.created"
	LabelSource      = "dev.dbaf.source-cluster"
	LabelEngine      = "dev.dbaf.engine"
	LabelEngineVer   = "dev.dbaf.engine-version"
	LabelRegion      = "dev.dbaf.region"
	LabelClass       = "dev.dbaf.instance-class"
	LabelPublisher   = "dev.dbaf.publisher-contact"
	LabelSchema      = "dev.dbaf.artifact-schema"
	LabelPassword    = "dev.dbaf.password" // set only when RDS manages the clones' passwords
)

// The steps of a build, in order.
const (
	StepResolve  = "resolve"
	StepAssemble = "assemble"
	StepLoad     = "load"
	StepPush     = "push"
)

// StepError is a failure of one step of an operation, so callers can tell a
// Docker failure (load, push) from an AWS one without parsing messages.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// ImageLoader is the part of the Docker engine a build needs.
// *dockerbuild.Engine satisfies it.
type ImageLoader interface {
	Load(ctx context.Context, img v1.Image, tag string, p dockerbuild.Progress) (string, error)
	Inspect(ctx context.Context, ref string) (dockerbuild.Info, error)
}

// Pusher publishes an image to a registry.
type Pusher func(ctx context.Context, img v1.Image, ref string, p dockerbuild.Progress) (string, error)

// BuildRequest is everything a build needs besides its clients.
type BuildRequest struct {
	Config  *config.Config
	Created time.Time // the artifact's creation time, see CreatedTime
	Binary  string    // static linux dbaf binary to put in the image
	Arch    string    // target architecture; "" = this machine's
	Version string    // dbaf version, for the image label
	Push    string    // registry reference to push to; "" = do not push
	// Sandbox: the build ran against the local sandbox account, so the run
	// line clones there rather than in AWS.
	Sandbox bool
	// Preflight, when set, runs a clone's preflight once the artifact is
	// resolved and reports it (a Preflight event, a warning per problem):
	// what a clone would find today, which does not fail the build.
	Preflight PreflightAWS
}

// Build resolves the config against the account, assembles the image and
// loads it into the engine (and pushes it when asked). Nothing is loaded
// unless resolution succeeded, so bad input leaves no image behind.
//
// The stream ends with one final event: Built, or BuildFailed.
func Build(ctx context.Context, req BuildRequest, d Discovery, engine ImageLoader, push Pusher, emit Emit) (*Built, error) {
	st := NewStream(emit)
	built, err := build(ctx, req, d, engine, push, st.Emit)
	return built, st.End(err, BuildFinal)
}

// BuildFinal is the final event of a build that failed with err.
func BuildFinal(err error) Event {
	f := BuildFailed{Reason: err.Error()}
	var step *StepError
	if errors.As(err, &step) {
		f.Step = step.Step
	}
	return f
}

func build(ctx context.Context, req BuildRequest, d Discovery, engine ImageLoader, push Pusher, emit Emit) (*Built, error) {
	if err := dockerbuild.CheckBinary(req.Binary, req.Arch); err != nil {
		return nil, err
	}

	start := time.Now()
	emit(StepStarted{Step: StepResolve, Detail: "source cluster " + req.Config.SourceClusterID + " in " + d.Region()})
	a, err := Resolve(ctx, req.Config, d, req.Created, func(msg string) { emit(Warning{Message: msg}) })
	if err != nil {
		return nil, &StepError{Step: StepResolve, Err: err}
	}
	a.Sandbox = req.Sandbox // carried in the image, so show gives the run line that works
	emit(Resolved{Artifact: a})
	emit(StepDone{Step: StepResolve, Detail: fmt.Sprintf("%s %s, %d subnets in %s, %s",
		a.Source.Engine, a.Source.EngineVersion, len(a.Target.Subnets), a.Target.VpcID, a.Target.InstanceClass), Elapsed: time.Since(start)})
	if req.Preflight != nil {
		reportPreflight(ctx, req.Preflight, a, emit)
	}

	start = time.Now()
	emit(StepStarted{Step: StepAssemble, Detail: "image with " + req.Binary})
	img, err := Image(a, req.Binary, req.Arch, req.Version)
	if err != nil {
		return nil, &StepError{Step: StepAssemble, Err: err}
	}
	emit(StepDone{Step: StepAssemble, Elapsed: time.Since(start)})

	start = time.Now()
	emit(StepStarted{Step: StepLoad, Detail: a.Image})
	id, err := engine.Load(ctx, img, a.Image, progressTo(emit, StepLoad))
	if err != nil {
		return nil, &StepError{Step: StepLoad, Err: err}
	}
	info, err := engine.Inspect(ctx, a.Image)
	if err != nil {
		return nil, &StepError{Step: StepLoad, Err: err}
	}
	emit(StepDone{Step: StepLoad, Detail: id, Elapsed: time.Since(start)})

	res := &Built{Image: a.Image, ID: id, Size: info.Size, RunLine: RunLineFor(a.Image, req.Sandbox)}
	if req.Push != "" {
		start = time.Now()
		emit(StepStarted{Step: StepPush, Detail: req.Push})
		digest, err := push(ctx, img, req.Push, progressTo(emit, StepPush))
		if err != nil {
			return nil, &StepError{Step: StepPush, Err: fmt.Errorf("image %s was built and loaded, but pushing it failed: %w", a.Image, err)}
		}
		res.Pushed = req.Push + "@" + digest
		res.RunLine = RunLineFor(req.Push, req.Sandbox) // developers pull the pushed image
		emit(StepDone{Step: StepPush, Detail: res.Pushed, Elapsed: time.Since(start)})
	}
	emit(*res)
	return res, nil
}

// reportPreflight tells a build what a clone of a would find now: the
// facts, and each problem as a warning (the account may change before
// anyone clones).
func reportPreflight(ctx context.Context, s PreflightAWS, a *Artifact, emit Emit) {
	_, err := preflight(ctx, s, a, emit)
	for _, e := range Problems(err) {
		if _, ok := e.(*SourceError); ok {
			emit(Warning{Message: "a clone now would fail: " + e.Error()})
		} else {
			emit(Warning{Message: "the preflight could not finish: " + e.Error()})
		}
	}
}

// Image assembles the artifact image (not yet loaded anywhere).
func Image(a *Artifact, binary, arch, version string) (v1.Image, error) {
	file, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the artifact: %w", err)
	}
	return dockerbuild.Image(dockerbuild.Spec{
		Binary:     binary,
		File:       append(file, '\n'),
		FilePath:   FilePath,
		Labels:     Labels(a, version),
		Created:    a.Created,
		Arch:       arch,
		Entrypoint: []string{"/dbaf"},
		Cmd:        []string{"clone"},
		Env:        []string{"DBAF_ARTIFACT=" + FilePath},
	})
}

// Labels are the image's OCI labels. They describe the artifact and hold
// nothing secret.
func Labels(a *Artifact, version string) map[string]string {
	l := map[string]string{
		LabelTitle:       "dbaf artifact: " + a.Source.ClusterID,
		LabelDescription: fmt.Sprintf("Clone of Aurora cluster %s (%s %s) in %s as %s: %s", a.Source.ClusterID, a.Source.Engine, a.Source.EngineVersion, a.Region, a.Target.InstanceClass, a.RestoreMode().Description),
		LabelVersion:     version,
		LabelSource:      a.Source.ClusterID,
		LabelEngine:      a.Source.Engine,
		LabelEngineVer:   a.Source.EngineVersion,
		LabelRegion:      a.Region,
		LabelClass:       a.Target.InstanceClass,
		LabelSchema:      fmt.Sprint(SchemaVersion),
	}
	if a.Publisher != "" {
		l[LabelPublisher] = a.Publisher
	}
	if a.Target.ManagedPassword {
		l[LabelPassword] = config.PasswordSecretsManager
	}
	// The artifact's time (see CreatedTime), not the build's. A build from
	// flags alone with no SOURCE_DATE_EPOCH has no such time: no label,
	// rather than one claiming 1970.
	if a.Created.Unix() != 0 {
		l[LabelCreated] = a.Created.UTC().Format(time.RFC3339)
	}
	return l
}

// CreatedTime is an artifact's creation time: SOURCE_DATE_EPOCH when set
// (the reproducible-builds convention), else the config file's modification
// time, else the Unix epoch (a flags-only build, whose image then has no
// created label). Never the build clock, so the same inputs always give the
// same image.
func CreatedTime(configPath string, getenv func(string) string) (time.Time, error) {
	if s := getenv("SOURCE_DATE_EPOCH"); s != "" {
		var sec int64
		if _, err := fmt.Sscan(s, &sec); err != nil || sec < 0 {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds since 1970", s)
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	if configPath != "" {
		fi, err := os.Stat(configPath)
		if err == nil {
			return fi.ModTime().UTC().Truncate(time.Second), nil
		}
	}
	return time.Unix(0, 0).UTC(), nil
}

// Parse reads an artifact file, refusing schema versions it does not know.
func Parse(data []byte) (*Artifact, error) {
	var a Artifact
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("the artifact file is not valid JSON: %w", err)
	}
	if a.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("the artifact file has schema version %d; this dbaf reads version %d: use the dbaf that built it", a.SchemaVersion, SchemaVersion)
	}
	return &a, nil
}

func progressTo(emit Emit, step string) dockerbuild.Progress {
	return func(line string) { emit(Progress{Step: step, Line: line}) }
}
