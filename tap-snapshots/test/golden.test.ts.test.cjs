/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/golden.test.ts > TAP > api.yaml > sync response 1`] = `
children:
  - apiVersion: v1
    data:
      config.yaml: |
        sources:
          - name: upstream
            api:
              endpoint: http://central-api.registry.svc.cluster.local:8080
            syncPolicy:
              interval: 30m
        registries:
          - name: default
            sources: ["upstream"]
        database:
          host: postgres
          port: 5432
          user: db_app
          database: registry
        auth:
          mode: anonymous
    kind: ConfigMap
    metadata:
      annotations:
        toolhive.stacklok.dev/content-checksum: a7b6ead786727d4a
      name: mirror-registry-server-config
      namespace: toolhive-system
  - apiVersion: v1
    imagePullSecrets:
      - name: org-default
    kind: ServiceAccount
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: mirror-registry-api
        toolhive.stacklok.io/registry-name: mirror
      name: mirror-registry-api
      namespace: toolhive-system
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: mirror-registry-api
        toolhive.stacklok.io/registry-name: mirror
      name: mirror-registry-api
      namespace: toolhive-system
    rules:
      - apiGroups:
          - toolhive.stacklok.dev
        resources:
          - mcpservers
          - mcpremoteproxies
          - virtualmcpservers
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - services
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - gateway.networking.k8s.io
        resources:
          - httproutes
          - gateways
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - configmaps
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - coordination.k8s.io
        resources:
          - leases
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - events.k8s.io
        resources:
          - events
        verbs:
          - create
          - patch
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: mirror-registry-api
        toolhive.stacklok.io/registry-name: mirror
      name: mirror-registry-api
      namespace: toolhive-system
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: Role
      name: mirror-registry-api
    subjects:
      - kind: ServiceAccount
        name: mirror-registry-api
        namespace: toolhive-system
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: mirror-api
        toolhive.stacklok.io/registry-name: mirror
      name: mirror-api
      namespace: toolhive-system
    spec:
      selector:
        matchLabels:
          app.kubernetes.io/component: registry-api
          app.kubernetes.io/name: mirror-api
      template:
        metadata:
          annotations:
            toolhive.stacklok.dev/config-hash: e22ed9b308fd81a6
          labels:
            app.kubernetes.io/component: registry-api
            app.kubernetes.io/managed-by: toolhive-operator
            app.kubernetes.io/name: mirror-api
            toolhive.stacklok.io/registry-name: mirror
        spec:
          containers:
            - args:
                - serve
                - --config=/config/config.yaml
              env:
                - name: PGPASSFILE
                  value: /home/appuser/.pgpass
              image: ghcr.io/stacklok/thv-registry-api:v1.5.3
              livenessProbe:
                httpGet:
                  path: /health
                  port: 8081
                initialDelaySeconds: 30
                periodSeconds: 10
              name: registry-api
              ports:
                - containerPort: 8080
                  name: http
                  protocol: TCP
              readinessProbe:
                httpGet:
                  path: /readiness
                  port: 8081
                initialDelaySeconds: 5
                periodSeconds: 5
              resources:
                limits:
                  cpu: 500m
                  memory: 512Mi
                requests:
                  cpu: 100m
                  memory: 128Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /config
                  name: registry-server-config
                  readOnly: true
                - mountPath: /home/appuser/.pgpass
                  name: pgpass
                  readOnly: true
                  subPath: .pgpass
                - mountPath: /tmp
                  name: registry-api-tmp
          imagePullSecrets:
            - name: org-default
          initContainers:
            - command:
                - sh
                - -c
                - cp /secret/.pgpass /pgpass/.pgpass && chmod 0600 /pgpass/.pgpass
              image: cgr.dev/chainguard/busybox@sha256:accc5c911abaf2f70487f93cad07b0891d502cbba7e79f96d1db9074ef40928a
              name: setup-pgpass
              resources:
                limits:
                  cpu: 50m
                  memory: 32Mi
                requests:
                  cpu: 10m
                  memory: 16Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /secret
                  name: pgpass-secret
                  readOnly: true
                - mountPath: /pgpass
                  name: pgpass
          securityContext:
            runAsNonRoot: true
            seccompProfile:
              type: RuntimeDefault
          serviceAccountName: mirror-registry-api
          volumes:
            - configMap:
                name: mirror-registry-server-config
              name: registry-server-config
            - name: pgpass-secret
              secret:
                items:
                  - key: .pgpass
                    path: .pgpass
                secretName: mirror-pgpass
            - emptyDir: {}
              name: pgpass
            - emptyDir: {}
              name: registry-api-tmp
  - apiVersion: v1
    kind: Service
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: mirror-api
        toolhive.stacklok.io/registry-name: mirror
      name: mirror-api
      namespace: toolhive-system
    spec:
      ports:
        - name: http
          port: 8080
          protocol: TCP
          targetPort: 8080
      selector:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/name: mirror-api
      type: ClusterIP
resyncAfterSeconds: 30
status:
  conditions:
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: Registry API deployment is not ready yet
      observedGeneration: 1
      reason: NotReady
      status: "False"
      type: Ready
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: The pod meets the Pod Security Standard "restricted"
      observedGeneration: 1
      reason: Restricted
      status: "True"
      type: PodSecurity
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: "configYAML is valid: 1 source, 1 registry"
      observedGeneration: 1
      reason: ConfigValid
      status: "True"
      type: ConfigValid
  message: Registry API deployment is not ready yet
  phase: Pending
  readyReplicas: 0

`

exports[`test/golden.test.ts > TAP > configmap.yaml > sync response 1`] = `
children:
  - apiVersion: v1
    data:
      config.yaml: |
        sources:
          - name: team
            file:
              path: /config/registry/team/registry.json
            syncPolicy:
              interval: 1h
        registries:
          - name: default
            sources: ["team"]
        database:
          host: postgres
          port: 5432
          user: db_app
          database: registry
        auth:
          mode: anonymous
    kind: ConfigMap
    metadata:
      annotations:
        toolhive.stacklok.dev/content-checksum: 02a657fff970bf4c
      name: team-registry-server-config
      namespace: toolhive-system
  - apiVersion: v1
    imagePullSecrets:
      - name: org-default
    kind: ServiceAccount
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: team-registry-api
        toolhive.stacklok.io/registry-name: team
      name: team-registry-api
      namespace: toolhive-system
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: team-registry-api
        toolhive.stacklok.io/registry-name: team
      name: team-registry-api
      namespace: toolhive-system
    rules:
      - apiGroups:
          - toolhive.stacklok.dev
        resources:
          - mcpservers
          - mcpremoteproxies
          - virtualmcpservers
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - services
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - gateway.networking.k8s.io
        resources:
          - httproutes
          - gateways
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - configmaps
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - coordination.k8s.io
        resources:
          - leases
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - events.k8s.io
        resources:
          - events
        verbs:
          - create
          - patch
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: team-registry-api
        toolhive.stacklok.io/registry-name: team
      name: team-registry-api
      namespace: toolhive-system
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: Role
      name: team-registry-api
    subjects:
      - kind: ServiceAccount
        name: team-registry-api
        namespace: toolhive-system
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: team-api
        toolhive.stacklok.io/registry-name: team
      name: team-api
      namespace: toolhive-system
    spec:
      selector:
        matchLabels:
          app.kubernetes.io/component: registry-api
          app.kubernetes.io/name: team-api
      template:
        metadata:
          annotations:
            toolhive.stacklok.dev/config-hash: dad7a036306a5608
          labels:
            app.kubernetes.io/component: registry-api
            app.kubernetes.io/managed-by: toolhive-operator
            app.kubernetes.io/name: team-api
            toolhive.stacklok.io/registry-name: team
        spec:
          containers:
            - args:
                - serve
                - --config=/config/config.yaml
              env:
                - name: PGPASSFILE
                  value: /home/appuser/.pgpass
              image: ghcr.io/stacklok/thv-registry-api:v1.5.3
              livenessProbe:
                httpGet:
                  path: /health
                  port: 8081
                initialDelaySeconds: 30
                periodSeconds: 10
              name: registry-api
              ports:
                - containerPort: 8080
                  name: http
                  protocol: TCP
              readinessProbe:
                httpGet:
                  path: /readiness
                  port: 8081
                initialDelaySeconds: 5
                periodSeconds: 5
              resources:
                limits:
                  cpu: 500m
                  memory: 512Mi
                requests:
                  cpu: 100m
                  memory: 128Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /config
                  name: registry-server-config
                  readOnly: true
                - mountPath: /config/registry/team
                  name: registry-data-team
                  readOnly: true
                - mountPath: /home/appuser/.pgpass
                  name: pgpass
                  readOnly: true
                  subPath: .pgpass
                - mountPath: /tmp
                  name: registry-api-tmp
          imagePullSecrets:
            - name: org-default
          initContainers:
            - command:
                - sh
                - -c
                - cp /secret/.pgpass /pgpass/.pgpass && chmod 0600 /pgpass/.pgpass
              image: cgr.dev/chainguard/busybox@sha256:accc5c911abaf2f70487f93cad07b0891d502cbba7e79f96d1db9074ef40928a
              name: setup-pgpass
              resources:
                limits:
                  cpu: 50m
                  memory: 32Mi
                requests:
                  cpu: 10m
                  memory: 16Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /secret
                  name: pgpass-secret
                  readOnly: true
                - mountPath: /pgpass
                  name: pgpass
          securityContext:
            runAsNonRoot: true
            seccompProfile:
              type: RuntimeDefault
          serviceAccountName: team-registry-api
          volumes:
            - configMap:
                name: team-registry-server-config
              name: registry-server-config
            - configMap:
                items:
                  - key: registry.json
                    path: registry.json
                name: team-registry-data
              name: registry-data-team
            - name: pgpass-secret
              secret:
                items:
                  - key: .pgpass
                    path: .pgpass
                secretName: team-pgpass
            - emptyDir: {}
              name: pgpass
            - emptyDir: {}
              name: registry-api-tmp
  - apiVersion: v1
    kind: Service
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: team-api
        toolhive.stacklok.io/registry-name: team
      name: team-api
      namespace: toolhive-system
    spec:
      ports:
        - name: http
          port: 8080
          protocol: TCP
          targetPort: 8080
      selector:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/name: team-api
      type: ClusterIP
resyncAfterSeconds: 30
status:
  conditions:
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: Registry API deployment is not ready yet
      observedGeneration: 1
      reason: NotReady
      status: "False"
      type: Ready
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: The pod meets the Pod Security Standard "restricted"
      observedGeneration: 1
      reason: Restricted
      status: "True"
      type: PodSecurity
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: "configYAML is valid: 1 source, 1 registry"
      observedGeneration: 1
      reason: ConfigValid
      status: "True"
      type: ConfigValid
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: "Registry data is valid: source team has 2 servers"
      observedGeneration: 1
      reason: RegistryDataValid
      status: "True"
      type: RegistryDataValid
  message: Registry API deployment is not ready yet
  phase: Pending
  readyReplicas: 0

`

exports[`test/golden.test.ts > TAP > git-auth.yaml > sync response 1`] = `
children:
  - apiVersion: v1
    data:
      config.yaml: |
        sources:
          - name: private-repo
            git:
              repository: https://git.example.com/platform/mcp-registry
              branch: main
              path: registry.json
              auth:
                username: git
                passwordFile: /secrets/git-credentials/token
            syncPolicy:
              interval: 1h
        registries:
          - name: default
            sources: ["private-repo"]
        database:
          host: postgres
          port: 5432
          user: db_app
          database: registry
        auth:
          mode: anonymous
    kind: ConfigMap
    metadata:
      annotations:
        toolhive.stacklok.dev/content-checksum: 2864273fd079a21f
      name: private-git-registry-server-config
      namespace: toolhive-system
  - apiVersion: v1
    imagePullSecrets:
      - name: org-default
    kind: ServiceAccount
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: private-git-registry-api
        toolhive.stacklok.io/registry-name: private-git
      name: private-git-registry-api
      namespace: toolhive-system
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: private-git-registry-api
        toolhive.stacklok.io/registry-name: private-git
      name: private-git-registry-api
      namespace: toolhive-system
    rules:
      - apiGroups:
          - toolhive.stacklok.dev
        resources:
          - mcpservers
          - mcpremoteproxies
          - virtualmcpservers
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - services
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - gateway.networking.k8s.io
        resources:
          - httproutes
          - gateways
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - configmaps
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - coordination.k8s.io
        resources:
          - leases
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - events.k8s.io
        resources:
          - events
        verbs:
          - create
          - patch
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: private-git-registry-api
        toolhive.stacklok.io/registry-name: private-git
      name: private-git-registry-api
      namespace: toolhive-system
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: Role
      name: private-git-registry-api
    subjects:
      - kind: ServiceAccount
        name: private-git-registry-api
        namespace: toolhive-system
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: private-git-api
        toolhive.stacklok.io/registry-name: private-git
      name: private-git-api
      namespace: toolhive-system
    spec:
      selector:
        matchLabels:
          app.kubernetes.io/component: registry-api
          app.kubernetes.io/name: private-git-api
      template:
        metadata:
          annotations:
            toolhive.stacklok.dev/config-hash: e6f7888808211c2d
          labels:
            app.kubernetes.io/component: registry-api
            app.kubernetes.io/managed-by: toolhive-operator
            app.kubernetes.io/name: private-git-api
            toolhive.stacklok.io/registry-name: private-git
        spec:
          containers:
            - args:
                - serve
                - --config=/config/config.yaml
              env:
                - name: PGPASSFILE
                  value: /home/appuser/.pgpass
              image: ghcr.io/stacklok/thv-registry-api:v1.5.3
              livenessProbe:
                httpGet:
                  path: /health
                  port: 8081
                initialDelaySeconds: 30
                periodSeconds: 10
              name: registry-api
              ports:
                - containerPort: 8080
                  name: http
                  protocol: TCP
              readinessProbe:
                httpGet:
                  path: /readiness
                  port: 8081
                initialDelaySeconds: 5
                periodSeconds: 5
              resources:
                limits:
                  cpu: 500m
                  memory: 512Mi
                requests:
                  cpu: 100m
                  memory: 128Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /config
                  name: registry-server-config
                  readOnly: true
                - mountPath: /secrets/git-credentials
                  name: git-auth-credentials
                  readOnly: true
                - mountPath: /home/appuser/.pgpass
                  name: pgpass
                  readOnly: true
                  subPath: .pgpass
                - mountPath: /tmp
                  name: registry-api-tmp
          imagePullSecrets:
            - name: org-default
          initContainers:
            - command:
                - sh
                - -c
                - cp /secret/.pgpass /pgpass/.pgpass && chmod 0600 /pgpass/.pgpass
              image: cgr.dev/chainguard/busybox@sha256:accc5c911abaf2f70487f93cad07b0891d502cbba7e79f96d1db9074ef40928a
              name: setup-pgpass
              resources:
                limits:
                  cpu: 50m
                  memory: 32Mi
                requests:
                  cpu: 10m
                  memory: 16Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /secret
                  name: pgpass-secret
                  readOnly: true
                - mountPath: /pgpass
                  name: pgpass
          securityContext:
            runAsNonRoot: true
            seccompProfile:
              type: RuntimeDefault
          serviceAccountName: private-git-registry-api
          volumes:
            - configMap:
                name: private-git-registry-server-config
              name: registry-server-config
            - name: git-auth-credentials
              secret:
                items:
                  - key: token
                    path: token
                secretName: git-credentials
            - name: pgpass-secret
              secret:
                items:
                  - key: .pgpass
                    path: .pgpass
                secretName: private-git-pgpass
            - emptyDir: {}
              name: pgpass
            - emptyDir: {}
              name: registry-api-tmp
  - apiVersion: v1
    kind: Service
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: private-git-api
        toolhive.stacklok.io/registry-name: private-git
      name: private-git-api
      namespace: toolhive-system
    spec:
      ports:
        - name: http
          port: 8080
          protocol: TCP
          targetPort: 8080
      selector:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/name: private-git-api
      type: ClusterIP
resyncAfterSeconds: 30
status:
  conditions:
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: Registry API deployment is not ready yet
      observedGeneration: 1
      reason: NotReady
      status: "False"
      type: Ready
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: The pod meets the Pod Security Standard "restricted"
      observedGeneration: 1
      reason: Restricted
      status: "True"
      type: PodSecurity
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: "configYAML is valid: 1 source, 1 registry"
      observedGeneration: 1
      reason: ConfigValid
      status: "True"
      type: ConfigValid
  message: Registry API deployment is not ready yet
  phase: Pending
  readyReplicas: 0

`

exports[`test/golden.test.ts > TAP > imagepullsecrets.yaml > sync response 1`] = `
children:
  - apiVersion: v1
    data:
      config.yaml: |
        sources:
          - name: k8s
            kubernetes: {}
        registries:
          - name: default
            sources: ["k8s"]
        database:
          host: postgres
          port: 5432
          user: db_app
          database: registry
        auth:
          mode: anonymous
    kind: ConfigMap
    metadata:
      annotations:
        toolhive.stacklok.dev/content-checksum: d03167fb7722d2e2
      name: private-image-registry-server-config
      namespace: toolhive-system
  - apiVersion: v1
    imagePullSecrets:
      - name: mirror-credentials
      - name: org-default
    kind: ServiceAccount
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: private-image-registry-api
        toolhive.stacklok.io/registry-name: private-image
      name: private-image-registry-api
      namespace: toolhive-system
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: private-image-registry-api
        toolhive.stacklok.io/registry-name: private-image
      name: private-image-registry-api
      namespace: toolhive-system
    rules:
      - apiGroups:
          - toolhive.stacklok.dev
        resources:
          - mcpservers
          - mcpremoteproxies
          - virtualmcpservers
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - services
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - gateway.networking.k8s.io
        resources:
          - httproutes
          - gateways
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - configmaps
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - coordination.k8s.io
        resources:
          - leases
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - events.k8s.io
        resources:
          - events
        verbs:
          - create
          - patch
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: private-image-registry-api
        toolhive.stacklok.io/registry-name: private-image
      name: private-image-registry-api
      namespace: toolhive-system
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: Role
      name: private-image-registry-api
    subjects:
      - kind: ServiceAccount
        name: private-image-registry-api
        namespace: toolhive-system
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: private-image-api
        toolhive.stacklok.io/registry-name: private-image
      name: private-image-api
      namespace: toolhive-system
    spec:
      selector:
        matchLabels:
          app.kubernetes.io/component: registry-api
          app.kubernetes.io/name: private-image-api
      template:
        metadata:
          annotations:
            toolhive.stacklok.dev/config-hash: e4ca9ef4222d9014
          labels:
            app.kubernetes.io/component: registry-api
            app.kubernetes.io/managed-by: toolhive-operator
            app.kubernetes.io/name: private-image-api
            toolhive.stacklok.io/registry-name: private-image
        spec:
          containers:
            - args:
                - serve
                - --config=/config/config.yaml
              env:
                - name: PGPASSFILE
                  value: /home/appuser/.pgpass
              image: ghcr.io/stacklok/thv-registry-api:v1.5.3
              livenessProbe:
                httpGet:
                  path: /health
                  port: 8081
                initialDelaySeconds: 30
                periodSeconds: 10
              name: registry-api
              ports:
                - containerPort: 8080
                  name: http
                  protocol: TCP
              readinessProbe:
                httpGet:
                  path: /readiness
                  port: 8081
                initialDelaySeconds: 5
                periodSeconds: 5
              resources:
                limits:
                  cpu: 500m
                  memory: 512Mi
                requests:
                  cpu: 100m
                  memory: 128Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /config
                  name: registry-server-config
                  readOnly: true
                - mountPath: /home/appuser/.pgpass
                  name: pgpass
                  readOnly: true
                  subPath: .pgpass
                - mountPath: /tmp
                  name: registry-api-tmp
          imagePullSecrets:
            - name: mirror-credentials
            - name: org-default
          initContainers:
            - command:
                - sh
                - -c
                - cp /secret/.pgpass /pgpass/.pgpass && chmod 0600 /pgpass/.pgpass
              image: cgr.dev/chainguard/busybox@sha256:accc5c911abaf2f70487f93cad07b0891d502cbba7e79f96d1db9074ef40928a
              name: setup-pgpass
              resources:
                limits:
                  cpu: 50m
                  memory: 32Mi
                requests:
                  cpu: 10m
                  memory: 16Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /secret
                  name: pgpass-secret
                  readOnly: true
                - mountPath: /pgpass
                  name: pgpass
          securityContext:
            runAsNonRoot: true
            seccompProfile:
              type: RuntimeDefault
          serviceAccountName: private-image-registry-api
          volumes:
            - configMap:
                name: private-image-registry-server-config
              name: registry-server-config
            - name: pgpass-secret
              secret:
                items:
                  - key: .pgpass
                    path: .pgpass
                secretName: private-image-pgpass
            - emptyDir: {}
              name: pgpass
            - emptyDir: {}
              name: registry-api-tmp
  - apiVersion: v1
    kind: Service
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: private-image-api
        toolhive.stacklok.io/registry-name: private-image
      name: private-image-api
      namespace: toolhive-system
    spec:
      ports:
        - name: http
          port: 8080
          protocol: TCP
          targetPort: 8080
      selector:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/name: private-image-api
      type: ClusterIP
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: private-image-api
        toolhive.stacklok.io/registry-name: private-image
      name: private-image-api
      namespace: toolhive-system
    spec:
      ingress:
        - from:
            - namespaceSelector:
                matchLabels:
                  kubernetes.io/metadata.name: gateway
          ports:
            - port: 8080
              protocol: TCP
      podSelector:
        matchLabels:
          app.kubernetes.io/component: registry-api
          app.kubernetes.io/name: private-image-api
      policyTypes:
        - Ingress
resyncAfterSeconds: 30
status:
  conditions:
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: Registry API deployment is not ready yet
      observedGeneration: 1
      reason: NotReady
      status: "False"
      type: Ready
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: The pod meets the Pod Security Standard "restricted"
      observedGeneration: 1
      reason: Restricted
      status: "True"
      type: PodSecurity
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: "configYAML is valid: 1 source, 1 registry"
      observedGeneration: 1
      reason: ConfigValid
      status: "True"
      type: ConfigValid
  message: Registry API deployment is not ready yet
  phase: Pending
  readyReplicas: 0

`

exports[`test/golden.test.ts > TAP > minimal.yaml > sync response 1`] = `
children:
  - apiVersion: v1
    data:
      config.yaml: |
        sources:
          - name: k8s
            kubernetes: {}
        registries:
          - name: default
            sources: ["k8s"]
        database:
          host: postgres
          port: 5432
          user: db_app
          database: registry
        auth:
          mode: anonymous
    kind: ConfigMap
    metadata:
      annotations:
        toolhive.stacklok.dev/content-checksum: d03167fb7722d2e2
      name: minimal-registry-server-config
      namespace: toolhive-system
  - apiVersion: v1
    imagePullSecrets:
      - name: org-default
    kind: ServiceAccount
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: minimal-registry-api
        toolhive.stacklok.io/registry-name: minimal
      name: minimal-registry-api
      namespace: toolhive-system
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: minimal-registry-api
        toolhive.stacklok.io/registry-name: minimal
      name: minimal-registry-api
      namespace: toolhive-system
    rules:
      - apiGroups:
          - toolhive.stacklok.dev
        resources:
          - mcpservers
          - mcpremoteproxies
          - virtualmcpservers
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - services
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - gateway.networking.k8s.io
        resources:
          - httproutes
          - gateways
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - configmaps
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - coordination.k8s.io
        resources:
          - leases
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - events.k8s.io
        resources:
          - events
        verbs:
          - create
          - patch
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: minimal-registry-api
        toolhive.stacklok.io/registry-name: minimal
      name: minimal-registry-api
      namespace: toolhive-system
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: Role
      name: minimal-registry-api
    subjects:
      - kind: ServiceAccount
        name: minimal-registry-api
        namespace: toolhive-system
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: minimal-api
        toolhive.stacklok.io/registry-name: minimal
      name: minimal-api
      namespace: toolhive-system
    spec:
      selector:
        matchLabels:
          app.kubernetes.io/component: registry-api
          app.kubernetes.io/name: minimal-api
      template:
        metadata:
          annotations:
            toolhive.stacklok.dev/config-hash: 6cd15fabbe54f3e9
          labels:
            app.kubernetes.io/component: registry-api
            app.kubernetes.io/managed-by: toolhive-operator
            app.kubernetes.io/name: minimal-api
            toolhive.stacklok.io/registry-name: minimal
        spec:
          containers:
            - args:
                - serve
                - --config=/config/config.yaml
              env:
                - name: PGPASSFILE
                  value: /home/appuser/.pgpass
              image: ghcr.io/stacklok/thv-registry-api:v1.5.3
              livenessProbe:
                httpGet:
                  path: /health
                  port: 8081
                initialDelaySeconds: 30
                periodSeconds: 10
              name: registry-api
              ports:
                - containerPort: 8080
                  name: http
                  protocol: TCP
              readinessProbe:
                httpGet:
                  path: /readiness
                  port: 8081
                initialDelaySeconds: 5
                periodSeconds: 5
              resources:
                limits:
                  cpu: 500m
                  memory: 512Mi
                requests:
                  cpu: 100m
                  memory: 128Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /config
                  name: registry-server-config
                  readOnly: true
                - mountPath: /home/appuser/.pgpass
                  name: pgpass
                  readOnly: true
                  subPath: .pgpass
                - mountPath: /tmp
                  name: registry-api-tmp
          imagePullSecrets:
            - name: org-default
          initContainers:
            - command:
                - sh
                - -c
                - cp /secret/.pgpass /pgpass/.pgpass && chmod 0600 /pgpass/.pgpass
              image: cgr.dev/chainguard/busybox@sha256:accc5c911abaf2f70487f93cad07b0891d502cbba7e79f96d1db9074ef40928a
              name: setup-pgpass
              resources:
                limits:
                  cpu: 50m
                  memory: 32Mi
                requests:
                  cpu: 10m
                  memory: 16Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /secret
                  name: pgpass-secret
                  readOnly: true
                - mountPath: /pgpass
                  name: pgpass
          securityContext:
            runAsNonRoot: true
            seccompProfile:
              type: RuntimeDefault
          serviceAccountName: minimal-registry-api
          volumes:
            - configMap:
                name: minimal-registry-server-config
              name: registry-server-config
            - name: pgpass-secret
              secret:
                items:
                  - key: .pgpass
                    path: .pgpass
                secretName: minimal-pgpass
            - emptyDir: {}
              name: pgpass
            - emptyDir: {}
              name: registry-api-tmp
  - apiVersion: v1
    kind: Service
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: minimal-api
        toolhive.stacklok.io/registry-name: minimal
      name: minimal-api
      namespace: toolhive-system
    spec:
      ports:
        - name: http
          port: 8080
          protocol: TCP
          targetPort: 8080
      selector:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/name: minimal-api
      type: ClusterIP
resyncAfterSeconds: 30
status:
  conditions:
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: Registry API deployment is not ready yet
      observedGeneration: 1
      reason: NotReady
      status: "False"
      type: Ready
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: The pod meets the Pod Security Standard "restricted"
      observedGeneration: 1
      reason: Restricted
      status: "True"
      type: PodSecurity
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: "configYAML is valid: 1 source, 1 registry"
      observedGeneration: 1
      reason: ConfigValid
      status: "True"
      type: ConfigValid
  message: Registry API deployment is not ready yet
  phase: Pending
  readyReplicas: 0

`

exports[`test/golden.test.ts > TAP > oauth.yaml > sync response 1`] = `
children:
  - apiVersion: v1
    data:
      config.yaml: |
        sources:
          - name: production
            file:
              path: /config/registry/production/registry.json
            syncPolicy:
              interval: 1h
        registries:
          - name: default
            sources: ["production"]
        database:
          host: postgres
          port: 5432
          user: db_app
          database: registry
        auth:
          mode: oauth
          oauth:
            resourceUrl: https://registry.example.com
            realm: mcp-registry
            scopesSupported: ["mcp-registry:read", "mcp-registry:write"]
            providers:
              - name: keycloak
                issuerUrl: https://keycloak.example.com/realms/mcp
                audience: mcp-registry
                clientId: mcp-registry
                clientSecretFile: /secrets/oauth-client-secret/secret
                caCertPath: /config/certs/keycloak-ca/ca.crt
    kind: ConfigMap
    metadata:
      annotations:
        toolhive.stacklok.dev/content-checksum: b7dc53766d27cbca
      name: secure-registry-server-config
      namespace: toolhive-system
  - apiVersion: v1
    imagePullSecrets:
      - name: org-default
    kind: ServiceAccount
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: secure-registry-api
        toolhive.stacklok.io/registry-name: secure
      name: secure-registry-api
      namespace: toolhive-system
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: secure-registry-api
        toolhive.stacklok.io/registry-name: secure
      name: secure-registry-api
      namespace: toolhive-system
    rules:
      - apiGroups:
          - toolhive.stacklok.dev
        resources:
          - mcpservers
          - mcpremoteproxies
          - virtualmcpservers
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - services
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - gateway.networking.k8s.io
        resources:
          - httproutes
          - gateways
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - configmaps
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - coordination.k8s.io
        resources:
          - leases
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - events.k8s.io
        resources:
          - events
        verbs:
          - create
          - patch
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: secure-registry-api
        toolhive.stacklok.io/registry-name: secure
      name: secure-registry-api
      namespace: toolhive-system
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: Role
      name: secure-registry-api
    subjects:
      - kind: ServiceAccount
        name: secure-registry-api
        namespace: toolhive-system
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: secure-api
        toolhive.stacklok.io/registry-name: secure
      name: secure-api
      namespace: toolhive-system
    spec:
      selector:
        matchLabels:
          app.kubernetes.io/component: registry-api
          app.kubernetes.io/name: secure-api
      template:
        metadata:
          annotations:
            toolhive.stacklok.dev/config-hash: fd9054d0c1c6cb89
          labels:
            app.kubernetes.io/component: registry-api
            app.kubernetes.io/managed-by: toolhive-operator
            app.kubernetes.io/name: secure-api
            toolhive.stacklok.io/registry-name: secure
        spec:
          containers:
            - args:
                - serve
                - --config=/config/config.yaml
              env:
                - name: PGPASSFILE
                  value: /home/appuser/.pgpass
              image: ghcr.io/stacklok/thv-registry-api:v1.5.3
              livenessProbe:
                httpGet:
                  path: /health
                  port: 8081
                initialDelaySeconds: 30
                periodSeconds: 10
              name: registry-api
              ports:
                - containerPort: 8080
                  name: http
                  protocol: TCP
              readinessProbe:
                httpGet:
                  path: /readiness
                  port: 8081
                initialDelaySeconds: 5
                periodSeconds: 5
              resources:
                limits:
                  cpu: 500m
                  memory: 512Mi
                requests:
                  cpu: 100m
                  memory: 128Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /config
                  name: registry-server-config
                  readOnly: true
                - mountPath: /config/registry/production
                  name: registry-data-production
                  readOnly: true
                - mountPath: /secrets/oauth-client-secret
                  name: oauth-client-secret
                  readOnly: true
                - mountPath: /config/certs/keycloak-ca
                  name: keycloak-ca
                  readOnly: true
                - mountPath: /home/appuser/.pgpass
                  name: pgpass
                  readOnly: true
                  subPath: .pgpass
                - mountPath: /tmp
                  name: registry-api-tmp
          imagePullSecrets:
            - name: org-default
          initContainers:
            - command:
                - sh
                - -c
                - cp /secret/.pgpass /pgpass/.pgpass && chmod 0600 /pgpass/.pgpass
              image: cgr.dev/chainguard/busybox@sha256:accc5c911abaf2f70487f93cad07b0891d502cbba7e79f96d1db9074ef40928a
              name: setup-pgpass
              resources:
                limits:
                  cpu: 50m
                  memory: 32Mi
                requests:
                  cpu: 10m
                  memory: 16Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /secret
                  name: pgpass-secret
                  readOnly: true
                - mountPath: /pgpass
                  name: pgpass
          securityContext:
            runAsNonRoot: true
            seccompProfile:
              type: RuntimeDefault
          serviceAccountName: secure-registry-api
          volumes:
            - configMap:
                name: secure-registry-server-config
              name: registry-server-config
            - configMap:
                items:
                  - key: registry.json
                    path: registry.json
                name: prod-registry
              name: registry-data-production
            - name: oauth-client-secret
              secret:
                items:
                  - key: secret
                    path: secret
                secretName: oauth-client-secret
            - configMap:
                items:
                  - key: ca.crt
                    path: ca.crt
                name: keycloak-ca
              name: keycloak-ca
            - name: pgpass-secret
              secret:
                items:
                  - key: .pgpass
                    path: .pgpass
                secretName: secure-pgpass
            - emptyDir: {}
              name: pgpass
            - emptyDir: {}
              name: registry-api-tmp
  - apiVersion: v1
    kind: Service
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: secure-api
        toolhive.stacklok.io/registry-name: secure
      name: secure-api
      namespace: toolhive-system
    spec:
      ports:
        - name: http
          port: 8080
          protocol: TCP
          targetPort: 8080
      selector:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/name: secure-api
      type: ClusterIP
resyncAfterSeconds: 30
status:
  conditions:
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: Registry API deployment is not ready yet
      observedGeneration: 1
      reason: NotReady
      status: "False"
      type: Ready
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: The pod meets the Pod Security Standard "restricted"
      observedGeneration: 1
      reason: Restricted
      status: "True"
      type: PodSecurity
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: "configYAML is valid: 1 source, 1 registry"
      observedGeneration: 1
      reason: ConfigValid
      status: "True"
      type: ConfigValid
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: "Registry data is valid: source production has 1 server"
      observedGeneration: 1
      reason: RegistryDataValid
      status: "True"
      type: RegistryDataValid
  message: Registry API deployment is not ready yet
  phase: Pending
  readyReplicas: 0

`

exports[`test/golden.test.ts > TAP > pgpass.yaml > sync response 1`] = `
children:
  - apiVersion: v1
    data:
      config.yaml: |
        sources:
          - name: k8s
            kubernetes: {}
        registries:
          - name: default
            sources: ["k8s"]
        database:
          host: postgres
          port: 5432
          user: db_app
          migrationUser: db_migrator
          database: registry
          sslMode: require
        auth:
          mode: anonymous
    kind: ConfigMap
    metadata:
      annotations:
        toolhive.stacklok.dev/content-checksum: 6a008ded14b2309f
      name: with-pgpass-registry-server-config
      namespace: toolhive-system
  - apiVersion: v1
    imagePullSecrets:
      - name: org-default
    kind: ServiceAccount
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: with-pgpass-registry-api
        toolhive.stacklok.io/registry-name: with-pgpass
      name: with-pgpass-registry-api
      namespace: toolhive-system
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: with-pgpass-registry-api
        toolhive.stacklok.io/registry-name: with-pgpass
      name: with-pgpass-registry-api
      namespace: toolhive-system
    rules:
      - apiGroups:
          - toolhive.stacklok.dev
        resources:
          - mcpservers
          - mcpremoteproxies
          - virtualmcpservers
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - services
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - gateway.networking.k8s.io
        resources:
          - httproutes
          - gateways
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - configmaps
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - coordination.k8s.io
        resources:
          - leases
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - events.k8s.io
        resources:
          - events
        verbs:
          - create
          - patch
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: with-pgpass-registry-api
        toolhive.stacklok.io/registry-name: with-pgpass
      name: with-pgpass-registry-api
      namespace: toolhive-system
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: Role
      name: with-pgpass-registry-api
    subjects:
      - kind: ServiceAccount
        name: with-pgpass-registry-api
        namespace: toolhive-system
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: with-pgpass-api
        toolhive.stacklok.io/registry-name: with-pgpass
      name: with-pgpass-api
      namespace: toolhive-system
    spec:
      selector:
        matchLabels:
          app.kubernetes.io/component: registry-api
          app.kubernetes.io/name: with-pgpass-api
      template:
        metadata:
          annotations:
            toolhive.stacklok.dev/config-hash: 1264ad401425e243
          labels:
            app.kubernetes.io/component: registry-api
            app.kubernetes.io/managed-by: toolhive-operator
            app.kubernetes.io/name: with-pgpass-api
            toolhive.stacklok.io/registry-name: with-pgpass
        spec:
          containers:
            - args:
                - serve
                - --config=/config/config.yaml
              env:
                - name: PGPASSFILE
                  value: /home/appuser/.pgpass
              image: ghcr.io/stacklok/thv-registry-api:v1.5.3
              livenessProbe:
                httpGet:
                  path: /health
                  port: 8081
                initialDelaySeconds: 30
                periodSeconds: 10
              name: registry-api
              ports:
                - containerPort: 8080
                  name: http
                  protocol: TCP
              readinessProbe:
                httpGet:
                  path: /readiness
                  port: 8081
                initialDelaySeconds: 5
                periodSeconds: 5
              resources:
                limits:
                  cpu: 500m
                  memory: 512Mi
                requests:
                  cpu: 100m
                  memory: 128Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /config
                  name: registry-server-config
                  readOnly: true
                - mountPath: /home/appuser/.pgpass
                  name: pgpass
                  readOnly: true
                  subPath: .pgpass
                - mountPath: /tmp
                  name: registry-api-tmp
          imagePullSecrets:
            - name: org-default
          initContainers:
            - command:
                - sh
                - -c
                - cp /secret/.pgpass /pgpass/.pgpass && chmod 0600 /pgpass/.pgpass
              image: cgr.dev/chainguard/busybox@sha256:accc5c911abaf2f70487f93cad07b0891d502cbba7e79f96d1db9074ef40928a
              name: setup-pgpass
              resources:
                limits:
                  cpu: 50m
                  memory: 32Mi
                requests:
                  cpu: 10m
                  memory: 16Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /secret
                  name: pgpass-secret
                  readOnly: true
                - mountPath: /pgpass
                  name: pgpass
          securityContext:
            runAsNonRoot: true
            seccompProfile:
              type: RuntimeDefault
          serviceAccountName: with-pgpass-registry-api
          volumes:
            - configMap:
                name: with-pgpass-registry-server-config
              name: registry-server-config
            - name: pgpass-secret
              secret:
                items:
                  - key: .pgpass
                    path: .pgpass
                secretName: registry-pgpass
            - emptyDir: {}
              name: pgpass
            - emptyDir: {}
              name: registry-api-tmp
  - apiVersion: v1
    kind: Service
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: with-pgpass-api
        toolhive.stacklok.io/registry-name: with-pgpass
      name: with-pgpass-api
      namespace: toolhive-system
    spec:
      ports:
        - name: http
          port: 8080
          protocol: TCP
          targetPort: 8080
      selector:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/name: with-pgpass-api
      type: ClusterIP
resyncAfterSeconds: 30
status:
  conditions:
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: Registry API deployment is not ready yet
      observedGeneration: 1
      reason: NotReady
      status: "False"
      type: Ready
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: The pod meets the Pod Security Standard "restricted"
      observedGeneration: 1
      reason: Restricted
      status: "True"
      type: PodSecurity
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: "configYAML is valid: 1 source, 1 registry"
      observedGeneration: 1
      reason: ConfigValid
      status: "True"
      type: ConfigValid
  message: Registry API deployment is not ready yet
  phase: Pending
  readyReplicas: 0

`

exports[`test/golden.test.ts > TAP > podtemplate.yaml > sync response 1`] = `
children:
  - apiVersion: v1
    data:
      config.yaml: |
        sources:
          - name: k8s
            kubernetes: {}
        registries:
          - name: default
            sources: ["k8s"]
        database:
          host: postgres
          port: 5432
          user: db_app
          database: registry
        auth:
          mode: anonymous
    kind: ConfigMap
    metadata:
      annotations:
        toolhive.stacklok.dev/content-checksum: d03167fb7722d2e2
      name: tuned-registry-server-config
      namespace: toolhive-system
  - apiVersion: v1
    imagePullSecrets:
      - name: org-default
    kind: ServiceAccount
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: tuned-registry-api
        toolhive.stacklok.io/registry-name: tuned
      name: tuned-registry-api
      namespace: toolhive-system
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: tuned-registry-api
        toolhive.stacklok.io/registry-name: tuned
      name: tuned-registry-api
      namespace: toolhive-system
    rules:
      - apiGroups:
          - toolhive.stacklok.dev
        resources:
          - mcpservers
          - mcpremoteproxies
          - virtualmcpservers
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - services
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - gateway.networking.k8s.io
        resources:
          - httproutes
          - gateways
        verbs:
          - get
          - list
          - watch
      - apiGroups:
          - ""
        resources:
          - configmaps
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - coordination.k8s.io
        resources:
          - leases
        verbs:
          - get
          - list
          - watch
          - create
          - update
          - patch
          - delete
      - apiGroups:
          - events.k8s.io
        resources:
          - events
        verbs:
          - create
          - patch
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: tuned-registry-api
        toolhive.stacklok.io/registry-name: tuned
      name: tuned-registry-api
      namespace: toolhive-system
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: Role
      name: tuned-registry-api
    subjects:
      - kind: ServiceAccount
        name: tuned-registry-api
        namespace: toolhive-system
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      annotations:
        toolhive.stacklok.io/podtemplatespec-hash: 4f46d7385bea0bbb7b400e45f6a0ddaa0f20142203b9e322f253fdce2f40df58
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: tuned-api
        toolhive.stacklok.io/registry-name: tuned
      name: tuned-api
      namespace: toolhive-system
    spec:
      selector:
        matchLabels:
          app.kubernetes.io/component: registry-api
          app.kubernetes.io/name: tuned-api
      template:
        metadata:
          annotations:
            toolhive.stacklok.dev/config-hash: 14054777bf279fc5
          labels:
            app.kubernetes.io/component: registry-api
            app.kubernetes.io/managed-by: toolhive-operator
            app.kubernetes.io/name: tuned-api
            team: platform
            toolhive.stacklok.io/registry-name: tuned
        spec:
          containers:
            - args:
                - serve
                - --config=/config/config.yaml
              env:
                - name: THV_REGISTRY_LOG_LEVEL
                  value: debug
                - name: THV_REGISTRY_DATABASE_PASSWORD
                  valueFrom:
                    secretKeyRef:
                      key: password
                      name: registry-db
              image: ghcr.io/stacklok/thv-registry-api:v1.5.3
              livenessProbe:
                httpGet:
                  path: /health
                  port: 8081
                initialDelaySeconds: 30
                periodSeconds: 10
              name: registry-api
              ports:
                - containerPort: 8080
                  name: http
                  protocol: TCP
              readinessProbe:
                httpGet:
                  path: /readiness
                  port: 8081
                initialDelaySeconds: 5
                periodSeconds: 5
              resources:
                limits:
                  memory: 1Gi
                requests:
                  cpu: 200m
                  memory: 256Mi
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
              volumeMounts:
                - mountPath: /config
                  name: registry-server-config
                  readOnly: true
                - mountPath: /tmp
                  name: registry-api-tmp
            - args:
                - --quiet
              image: docker.io/fluent/fluent-bit:3.2.2
              name: log-shipper
              securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                  drop:
                    - ALL
                readOnlyRootFilesystem: true
                runAsNonRoot: true
          imagePullSecrets:
            - name: org-default
          nodeSelector:
            kubernetes.io/os: linux
          securityContext:
            runAsNonRoot: true
            seccompProfile:
              type: RuntimeDefault
          serviceAccountName: tuned-registry-api
          tolerations:
            - effect: NoSchedule
              key: dedicated
              operator: Equal
              value: registry
          volumes:
            - configMap:
                name: tuned-registry-server-config
              name: registry-server-config
            - emptyDir: {}
              name: registry-api-tmp
  - apiVersion: v1
    kind: Service
    metadata:
      labels:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/managed-by: toolhive-operator
        app.kubernetes.io/name: tuned-api
        toolhive.stacklok.io/registry-name: tuned
      name: tuned-api
      namespace: toolhive-system
    spec:
      ports:
        - name: http
          port: 8080
          protocol: TCP
          targetPort: 8080
      selector:
        app.kubernetes.io/component: registry-api
        app.kubernetes.io/name: tuned-api
      type: ClusterIP
resyncAfterSeconds: 30
status:
  conditions:
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: Registry API deployment is not ready yet
      observedGeneration: 1
      reason: NotReady
      status: "False"
      type: Ready
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: PodTemplateSpec is valid
      observedGeneration: 1
      reason: ValidPodTemplateSpec
      status: "True"
      type: PodTemplateValid
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: The pod meets the Pod Security Standard "restricted"
      observedGeneration: 1
      reason: Restricted
      status: "True"
      type: PodSecurity
    - lastTransitionTime: 2026-11-22T10:00:00Z
      message: "configYAML is valid: 1 source, 1 registry"
      observedGeneration: 1
      reason: ConfigValid
      status: "True"
      type: ConfigValid
  message: Registry API deployment is not ready yet
  phase: Pending
  readyReplicas: 0

`
