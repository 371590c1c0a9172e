/**
 * The system fields of a Jira issue that the `jira_issues` transformer reads. One list for both
 * sides of that contract: the extractor asks the enhanced search for them (it returns only ids
 * unless asked), and the backend's raw projection keeps them, so a field the transformer starts
 * reading is one the extractor fetches too. Custom fields (story points, sprint) have ids that
 * differ per site and are added by each side from the site's field list.
 */
export const JIRA_ISSUE_TRANSFORMED_FIELDS = [
  'summary',
  'status',
  'issuetype',
  'priority',
  'assignee',
  'reporter',
  'labels',
  'created',
  'updated',
  'resolutiondate',
  'project',
  'parent',
  'components',
  'fixVersions',
] as const;
