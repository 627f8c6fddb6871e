/**
 * Unknown-field check for rendered manifests, like `kubectl apply --validate=strict`: the
 * validators of `kubernetes-models` check types, formats and required fields but let any unknown
 * key through, so a misspelt `livenesProbe` would pass them (and the API server would drop it).
 * This walks each object against the TypeScript interface kubernetes-models ships for its kind
 * (read with the TypeScript compiler API from the package's .d.ts files) and lists every key the
 * interface does not declare.
 */
import { join } from 'node:path';
import ts from 'typescript';

/** apiVersion/kind → the module and interface kubernetes-models declares it in. */
const INTERFACES: Record<string, [module: string, name: string]> = {
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'batch/v1/Job': ['kubernetes-models/batch/v1/Job', 'IJob'],
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/Namespace': ['kubernetes-models/v1/Namespace', 'INamespace'],
  'v1/Secret': ['kubernetes-models/v1/Secret', 'ISecret'],
  'v1/Service': ['kubernetes-models/v1/Service', 'IService'],
  'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'IServiceAccount'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'IHorizontalPodAutoscaler'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'IPodDisruptionBudget'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-models/networking.k8s.io/v1/NetworkPolicy', 'INetworkPolicy'],
};

export type FieldChecker = (object: { apiVersion: string; kind: string }) => string[];

/** Loads the declarations once (a second or two); the checker answers the unknown keys' paths. */
export function createFieldChecker(repoRoot: string): FieldChecker {
  const fileName = join(repoRoot, '__kubernetes_kinds__.ts');
  const ids = Object.keys(INTERFACES);
  const source = ids.map((id, i) => `import type { ${INTERFACES[id][1]} as K${i} } from '${INTERFACES[id][0]}';\nexport declare const k${i}: K${i};`).join('\n');
  const options: ts.CompilerOptions = { noEmit: true, strict: true, skipLibCheck: true, types: [], moduleResolution: ts.ModuleResolutionKind.Node10, target: ts.ScriptTarget.ES2022 };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) => (name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile(name, language));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(fileName)!)!;
  const types = new Map(ids.map((id, i) => [id, checker.getTypeOfSymbol(checker.getExportsOfModule(module).find((s) => s.name === `k${i}`)!)]));

  const walk = (type: ts.Type, value: unknown, path: string, found: string[]): void => {
    if (value === null || typeof value !== 'object') return;
    const target = checker.getNonNullableType(type);
    if (target.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (Array.isArray(value)) {
      const [element] = checker.isArrayType(target) ? checker.getTypeArguments(target as ts.TypeReference) : [];
      if (element) value.forEach((item, i) => walk(element, item, `${path}[${i}]`, found));
      return;
    }
    const index = checker.getIndexInfosOfType(target)[0];
    for (const [key, child] of Object.entries(value)) {
      const property = checker.getPropertyOfType(target, key);
      if (property) walk(checker.getTypeOfSymbol(property), child, `${path}.${key}`, found);
      else if (index) walk(index.type, child, `${path}.${key}`, found);
      else found.push(`${path}.${key}`);
    }
  };
  return (object) => {
    const type = types.get(`${object.apiVersion}/${object.kind}`);
    if (!type) return [`no declarations for ${object.apiVersion}/${object.kind}`];
    const found: string[] = [];
    walk(type, object, '', found);
    return found;
  };
}
