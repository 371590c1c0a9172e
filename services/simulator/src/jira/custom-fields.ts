import { hashInts } from '../data/prng.ts';

/**
 * Custom field ids differ per Jira site: `customfield_10016` is "Story point estimate" on one site
 * and something else entirely on the next. The simulator picks ids per seed, and where story
 * points are not `customfield_10016` that id holds an unrelated number ("Business Value"), so a
 * client that hard-wires ids reads the wrong value instead of nothing.
 */
export interface CustomFieldIds {
  storyPoints: { id: string; name: 'Story Points' | 'Story point estimate' };
  sprint: string;
  businessValue: string;
}

export function customFieldsFor(seed: number): CustomFieldIds {
  // Unsigned, so the shifts and remainders below stay non-negative.
  const h = hashInts(seed, 16) >>> 0;
  const storyPoints = `customfield_${[10016, 10026, 10034, 10042, 10058][h % 5]}`;
  return {
    storyPoints: { id: storyPoints, name: (h >>> 4) % 2 === 0 ? 'Story Points' : 'Story point estimate' },
    sprint: `customfield_${10020 + ((h >>> 8) % 4)}`,
    businessValue: storyPoints === 'customfield_10016' ? 'customfield_10090' : 'customfield_10016',
  };
}

const system = (id: string, name: string, schema: Record<string, unknown>, clauseNames = [id]) => ({
  id,
  key: id,
  name,
  custom: false,
  orderable: true,
  navigable: true,
  searchable: true,
  clauseNames,
  schema: { ...schema, system: id },
});

const custom = (id: string, name: string, type: string, customType: string, items?: string) => ({
  id,
  key: id,
  name,
  untranslatedName: name,
  custom: true,
  orderable: true,
  navigable: true,
  searchable: true,
  clauseNames: [`cf[${id.replace('customfield_', '')}]`, name],
  schema: {
    type,
    ...(items ? { items } : {}),
    custom: customType,
    customId: Number(id.replace('customfield_', '')),
  },
});

/** `GET /rest/api/3/field`, shaped after Atlassian's example: system fields, then the site's custom fields. */
export function fieldList(ids: CustomFieldIds): unknown[] {
  return [
    system('summary', 'Summary', { type: 'string' }),
    system('status', 'Status', { type: 'status' }),
    system('issuetype', 'Issue Type', { type: 'issuetype' }, ['issuetype', 'type']),
    system('priority', 'Priority', { type: 'priority' }),
    system('assignee', 'Assignee', { type: 'user' }),
    system('reporter', 'Reporter', { type: 'user' }),
    system('labels', 'Labels', { type: 'array', items: 'string' }),
    system('created', 'Created', { type: 'datetime' }, ['created', 'createdDate']),
    system('updated', 'Updated', { type: 'datetime' }, ['updated', 'updatedDate']),
    system('resolutiondate', 'Resolved', { type: 'datetime' }, ['resolutiondate', 'resolved']),
    system('parent', 'Parent', { type: 'issuelink' }),
    system('components', 'Components', { type: 'array', items: 'component' }, ['component']),
    system('fixVersions', 'Fix versions', { type: 'array', items: 'version' }, ['fixVersion']),
    system('description', 'Description', { type: 'string' }),
    custom(
      ids.businessValue,
      'Business Value',
      'number',
      'com.atlassian.jira.plugin.system.customfieldtypes:float',
    ),
    custom(
      ids.storyPoints.id,
      ids.storyPoints.name,
      'number',
      ids.storyPoints.name === 'Story Points'
        ? 'com.atlassian.jira.plugin.system.customfieldtypes:float'
        : 'com.pyxis.greenhopper.jira:jsw-story-points',
    ),
    custom(ids.sprint, 'Sprint', 'array', 'com.pyxis.greenhopper.jira:gh-sprint', 'json'),
  ];
}
