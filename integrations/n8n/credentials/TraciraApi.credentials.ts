import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/** The workspace token and the server's address; tested by the Tracira node (`testedBy: 'traciraApiTest'`). */
export class TraciraApi implements ICredentialType {
	name = 'traciraApi';

	displayName = 'Tracira API';

	icon: Icon = { light: 'file:../icons/tracira.svg', dark: 'file:../icons/tracira.dark.svg' };

	documentationUrl = 'https://github.com/tracira/tracira/tree/main/integrations/n8n#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'wh-...',
			description:
				'The workspace token (starts with wh-). It is printed when the workspace is created and after a token rotation.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://localhost:3000',
			required: true,
			placeholder: 'https://tracira.example.com',
			description: 'Where your Tracira server answers, without a trailing /api',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiToken}}',
			},
		},
	};
}
