/** instance → `<type>:<instance>` for one type, in two small parallel arrays (see KeyState.sourceIds). */
export class SourceIdCache {
  private instances: string[] = [];
  private ids: string[] = [];

  constructor(private readonly type: string) {}

  idOf(instance: string): string {
    const instances = this.instances;
    for (let i = 0; i < instances.length; i++) if (instances[i] === instance) return this.ids[i]!;
    if (instances.length >= 32) {
      // Bounded: instances come and go.
      this.instances = [];
      this.ids = [];
    }
    const id = `${this.type}:${instance}`;
    this.instances.push(instance);
    this.ids.push(id);
    return id;
  }
}
