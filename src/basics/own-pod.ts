/**
 * What the hook itself puts into every registry pod (U§2.3, U§2.5, SPEC §4 hardening): its volumes, the
 * registry-api container's mounts and the pgpass init container. The default pod template is built from
 * these, and validation reserves their names and paths from the same lists, so a volume added here is
 * reserved by itself.
 */
import {
  CONFIG_MOUNT_PATH,
  CONFIG_VOLUME,
  PGPASS_APP_PATH,
  PGPASS_EMPTYDIR_MOUNT,
  PGPASS_FILE_NAME,
  PGPASS_INIT_CONTAINER,
  PGPASS_RESOURCES,
  PGPASS_SECRET_MOUNT,
  PGPASS_SECRET_VOLUME,
  PGPASS_VOLUME,
  TMP_MOUNT_PATH,
  TMP_VOLUME,
} from './constants.js'
import type { Container, Volume, VolumeMount } from './k8s-types.js'

/** The hardening every container gets, under whatever the user sets (field by field). */
export const HARDENED_CONTAINER = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
}
/** The hardening of the pod, under whatever the user sets (field by field). */
export const HARDENED_POD = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }

/** One part the hook owns, with what it is for (validation messages name it). */
export interface Owned<T> {
  item: T
  purpose: string
}

/** The Secret and key that hold the pgpass file. */
export interface PgpassRef {
  name?: string
  key: string
}

/** The hook's own parts of one pod; `first` goes before the user's items, `last` after them. */
export interface OwnPod {
  volumes: { first: Owned<Volume>[]; last: Owned<Volume>[] }
  mounts: { first: Owned<VolumeMount>[]; last: Owned<VolumeMount>[] }
  initContainers: Owned<Container>[]
}

export function ownPod(input: { configMapName: string; pgpass: PgpassRef | undefined; pgpassInitImage: string }): OwnPod {
  const { pgpass } = input
  const tmp = { volume: { name: TMP_VOLUME, emptyDir: {} }, mount: { name: TMP_VOLUME, mountPath: TMP_MOUNT_PATH }, purpose: 'the writable /tmp' }
  const pgpassVolumes: Owned<Volume>[] = pgpass
    ? [
        {
          item: { name: PGPASS_SECRET_VOLUME, secret: { secretName: pgpass.name as string, items: [{ key: pgpass.key, path: PGPASS_FILE_NAME }] } },
          purpose: 'the pgpass Secret volume',
        },
        { item: { name: PGPASS_VOLUME, emptyDir: {} }, purpose: 'the pgpass emptyDir' },
      ]
    : []
  return {
    volumes: {
      first: [{ item: { name: CONFIG_VOLUME, configMap: { name: input.configMapName } }, purpose: 'the config.yaml volume' }],
      last: [...pgpassVolumes, { item: tmp.volume, purpose: tmp.purpose }],
    },
    mounts: {
      first: [{ item: { name: CONFIG_VOLUME, mountPath: CONFIG_MOUNT_PATH, readOnly: true }, purpose: 'the config.yaml mount' }],
      last: [
        ...(pgpass ? [{ item: { name: PGPASS_VOLUME, mountPath: PGPASS_APP_PATH, subPath: PGPASS_FILE_NAME, readOnly: true }, purpose: 'the pgpass file' }] : []),
        { item: tmp.mount, purpose: tmp.purpose },
      ],
    },
    initContainers: pgpass ? [{ item: pgpassInitContainer(input.pgpassInitImage), purpose: 'the pgpass file' }] : [],
  }
}

/** Copies the pgpass file from the Secret to an emptyDir with mode 0600, as libpq requires. */
function pgpassInitContainer(image: string): Container {
  return {
    name: PGPASS_INIT_CONTAINER,
    image,
    command: [
      'sh',
      '-c',
      `cp ${PGPASS_SECRET_MOUNT}/${PGPASS_FILE_NAME} ${PGPASS_EMPTYDIR_MOUNT}/${PGPASS_FILE_NAME} && chmod 0600 ${PGPASS_EMPTYDIR_MOUNT}/${PGPASS_FILE_NAME}`,
    ],
    resources: structuredClone(PGPASS_RESOURCES),
    securityContext: structuredClone(HARDENED_CONTAINER),
    volumeMounts: [
      { name: PGPASS_SECRET_VOLUME, mountPath: PGPASS_SECRET_MOUNT, readOnly: true },
      { name: PGPASS_VOLUME, mountPath: PGPASS_EMPTYDIR_MOUNT },
    ],
  }
}

/** The names and paths a user may not take: what the hook's own parts use, with their purpose. */
export function reservedNames(pgpass: boolean): { volumes: Map<string, string>; mountPaths: Map<string, string>; initContainers: Set<string> } {
  const own = ownPod({ configMapName: '', pgpass: pgpass ? { key: '' } : undefined, pgpassInitImage: '' })
  return {
    volumes: new Map([...own.volumes.first, ...own.volumes.last].map((v) => [v.item.name, v.purpose])),
    mountPaths: new Map([...own.mounts.first, ...own.mounts.last].map((m) => [m.item.mountPath, m.purpose])),
    initContainers: new Set(own.initContainers.map((c) => c.item.name)),
  }
}
