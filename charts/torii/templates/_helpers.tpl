{{/*
Names, labels and the pieces every Torii pod shares. Components are "gateway", "authority" and
"authorizer-dummy"; most helpers take (dict "root" $ "component" NAME).
*/}}

{{- define "torii.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* "<release>-<chart>", or the release name alone when it already contains the chart name. */}}
{{- define "torii.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of a component's resources: "<fullname>-<component>", cut to fit a DNS label. */}}
{{- define "torii.componentName" -}}
{{- printf "%s-%s" (include "torii.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "torii.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "torii.selectorLabels" -}}
app.kubernetes.io/name: {{ include "torii.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "torii.labels" -}}
helm.sh/chart: {{ include "torii.chart" .root }}
{{ include "torii.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: torii
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "torii.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "torii.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* "repository:tag", the tag defaulting to the chart's appVersion. Takes (dict "root" $ "image" ...). */}}
{{- define "torii.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{/* In-cluster DNS name of a component's Service. */}}
{{- define "torii.serviceHost" -}}
{{- printf "%s.%s.svc.%s" (include "torii.componentName" .) .root.Release.Namespace .root.Values.clusterDomain -}}
{{- end -}}

{{- define "torii.authority.issuer" -}}
{{- default (printf "http://%s:9091" (include "torii.serviceHost" (dict "root" . "component" "authority"))) .Values.authority.issuer -}}
{{- end -}}

{{- define "torii.authorizerDummy.issuer" -}}
{{- default (printf "http://%s:9091" (include "torii.serviceHost" (dict "root" . "component" "authorizer-dummy"))) .Values.authorizerDummy.issuer -}}
{{- end -}}

{{- define "torii.authority.signingKeySecret" -}}
{{- default (printf "%s-authority-signing-key" (include "torii.fullname" .)) .Values.authority.signingKey.existingSecret -}}
{{- end -}}

{{/*
The gateway's Authority target: the headless gRPC Service of the authorizer-dummy when it is on,
else of the Authority, so grpc-java's round_robin sees every pod instead of one ClusterIP.
*/}}
{{- define "torii.gateway.authorityTarget" -}}
{{- if .Values.gateway.authorityTarget -}}
{{- .Values.gateway.authorityTarget -}}
{{- else if .Values.authorizerDummy.enabled -}}
{{- printf "dns:///%s:9090" (include "torii.serviceHost" (dict "root" . "component" "authorizer-dummy-grpc")) -}}
{{- else if .Values.authority.enabled -}}
{{- printf "dns:///%s:9090" (include "torii.serviceHost" (dict "root" . "component" "authority-grpc")) -}}
{{- end -}}
{{- end -}}

{{/*
Fails when the gateway could not talk to the Authority the chart deploys: TLS on one side only, or
an Authority requiring client certificates and a gateway without one. The chart runs the
authorizer-dummy in plaintext. A gateway.authorityTarget elsewhere is not checked.
*/}}
{{- define "torii.checkAuthorityTls" -}}
{{- $gw := .Values.gateway.authorityTls -}}
{{- $au := .Values.authority.grpcTls -}}
{{- if not .Values.gateway.authorityTarget -}}
{{- if .Values.authorizerDummy.enabled -}}
{{- if $gw.enabled -}}
{{- fail "gateway.authorityTls.enabled: true (expected: false while authorizerDummy.enabled; the chart runs the authorizer-dummy in plaintext)" -}}
{{- end -}}
{{- else if .Values.authority.enabled -}}
{{- if and $au.enabled (not $gw.enabled) -}}
{{- fail "gateway.authorityTls.enabled: false (expected: true, since authority.grpcTls.enabled serves the Authority's gRPC port over TLS only)" -}}
{{- end -}}
{{- if and $gw.enabled (not $au.enabled) -}}
{{- fail "gateway.authorityTls.enabled: true (expected: false unless authority.grpcTls.enabled; the Authority serves plaintext)" -}}
{{- end -}}
{{- if and $au.enabled (eq $au.clientAuth "require") (not (and $gw.existingSecret $gw.certificateKey)) -}}
{{- fail "gateway.authorityTls: no client certificate (expected: existingSecret and certificateKey, since authority.grpcTls.clientAuth is require)" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The environment variable carrying the Redis URI into a component. Takes (dict "root" $ "name" VAR). */}}
{{- define "torii.redisEnv" -}}
{{- $redis := .root.Values.redis -}}
{{- if $redis.existingSecret }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ $redis.existingSecret }}
      key: {{ $redis.existingSecretKey }}
{{- else if $redis.uri }}
- name: {{ .name }}
  value: {{ $redis.uri | quote }}
{{- end }}
{{- end -}}

{{/*
The preStop hook that lets Services and load balancers stop routing to a terminating pod before
the JVM begins its graceful shutdown. Takes (dict "root" $ "seconds" N).
*/}}
{{- define "torii.lifecycle" -}}
{{- $seconds := int .seconds -}}
{{- if and (gt $seconds 0) (ne .root.Values.preStopAction "none") }}
lifecycle:
  preStop:
    {{- if eq .root.Values.preStopAction "exec" }}
    exec:
      command: ["sleep", "{{ $seconds }}"]
    {{- else }}
    sleep:
      seconds: {{ $seconds }}
    {{- end }}
{{- end }}
{{- end -}}

{{/*
Startup, liveness and readiness probes on Spring Boot's actuator health groups, served on the
management port. Takes (dict "probes" .Values.X.probes).
*/}}
{{- define "torii.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: management
  {{- toYaml .probes.startup | nindent 2 }}
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: management
  {{- toYaml .probes.liveness | nindent 2 }}
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: management
  {{- toYaml .probes.readiness | nindent 2 }}
{{- end -}}

{{/* Fails the render when an autoscaler's bounds are reversed. Takes (dict "name" N "autoscaling" ...). */}}
{{- define "torii.checkAutoscaling" -}}
{{- if and .autoscaling.enabled (gt (int .autoscaling.minReplicas) (int .autoscaling.maxReplicas)) -}}
{{- fail (printf "%s.autoscaling.minReplicas: %v (expected: <= maxReplicas, %v)" .name .autoscaling.minReplicas .autoscaling.maxReplicas) -}}
{{- end -}}
{{- end -}}

{{/* A HorizontalPodAutoscaler for a component's Deployment. Takes (dict "root" $ "component" N "autoscaling" ...). */}}
{{- define "torii.hpa" -}}
{{- $as := .autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "torii.componentName" . }}
  labels:
    {{- include "torii.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "torii.componentName" . }}
  minReplicas: {{ $as.minReplicas }}
  maxReplicas: {{ $as.maxReplicas }}
  metrics:
    {{- with $as.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
    {{- with $as.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
  {{- with $as.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* A PodDisruptionBudget for a component. Takes (dict "root" $ "component" N "pdb" ...). */}}
{{- define "torii.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "torii.componentName" . }}
  labels:
    {{- include "torii.labels" . | nindent 4 }}
spec:
  {{- if not (kindIs "string" .pdb.minAvailable) }}
  minAvailable: {{ .pdb.minAvailable }}
  {{- else if .pdb.minAvailable }}
  minAvailable: {{ .pdb.minAvailable | quote }}
  {{- else }}
  maxUnavailable: {{ .pdb.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "torii.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* A ServiceMonitor scraping a component's management Service. Takes (dict "root" $ "component" N). */}}
{{- define "torii.serviceMonitor" -}}
{{- $sm := .root.Values.metrics.serviceMonitor -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "torii.componentName" . }}
  namespace: {{ default .root.Release.Namespace $sm.namespace }}
  labels:
    {{- include "torii.labels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  namespaceSelector:
    matchNames:
      - {{ .root.Release.Namespace }}
  selector:
    matchLabels:
      {{- include "torii.selectorLabels" . | nindent 6 }}
      torii.dev/service: management
  endpoints:
    - port: management
      path: /actuator/prometheus
      interval: {{ $sm.interval }}
      scrapeTimeout: {{ $sm.scrapeTimeout }}
{{- end -}}

{{/* An ingress rule for one port and a list of peers; no rule at all for an empty list, since a
rule without "from" would admit everyone. Takes (dict "port" N "from" LIST). */}}
{{- define "torii.ingressRule" -}}
{{- if .from }}
- ports:
    - port: {{ .port }}
      protocol: TCP
  from:
    {{- toYaml .from | nindent 4 }}
{{- end }}
{{- end -}}
