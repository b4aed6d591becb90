# podpath: one static binary with its templates, JS, CSS and scenarios embedded.
#
#   docker build -t podpath .
#   docker run --rm -p 8080:8080 podpath      # then open http://localhost:8080
#
# The generated *_templ.go files are committed, so the build needs no templ step.

FROM golang:1.26 AS build
WORKDIR /src
# Module downloads first, so they stay cached while the sources change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/podpath .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/podpath /podpath
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/podpath", "-addr", "0.0.0.0:8080"]
